-- Back to one row per field: each creation row becomes the entries the
-- view showed for it (keeping their ids), then the view goes.
INSERT INTO customer_changes (tenant_id, id, customer_id, change_set_id, action, field,
                              old_value, new_value, version, changed_at, changed_by)
SELECT tenant_id, id, customer_id, change_set_id, action, field,
       old_value, new_value, version, changed_at, changed_by
  FROM customer_change_entries e
 WHERE EXISTS (SELECT 1 FROM customer_changes c
                WHERE c.tenant_id = e.tenant_id AND c.change_set_id = e.change_set_id
                  AND c.field = '*');
DELETE FROM customer_changes WHERE field = '*';
DROP VIEW customer_change_entries;
DROP FUNCTION app_change_entry_id(uuid, bigint);
