DROP FUNCTION customer_view_json(uuid, text, uuid, int, int, int, int, int, text[]);
