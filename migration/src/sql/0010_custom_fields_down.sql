DROP INDEX IF EXISTS customers_custom_fields_idx;
DROP TABLE IF EXISTS custom_field_definitions;
