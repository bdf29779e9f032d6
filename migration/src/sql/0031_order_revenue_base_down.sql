ALTER TABLE orders DROP COLUMN revenue_base;
