-- Orders and customer field history reach their tenant through their
-- customer (whose key leads with the tenant and which references it), so a
-- second foreign key to tenants only adds a check per row to every bulk
-- import. Deleting a tenant now cascades through its customers to their
-- orders (and on to the order lines) and history; customers themselves are
-- only ever soft-deleted by the application.
ALTER TABLE orders
    DROP CONSTRAINT orders_tenant_id_fkey,
    DROP CONSTRAINT orders_customer_fkey,
    ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (tenant_id, customer_id)
        REFERENCES customers (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE customer_changes
    DROP CONSTRAINT customer_changes_tenant_id_fkey,
    DROP CONSTRAINT customer_changes_customer_fkey,
    ADD CONSTRAINT customer_changes_customer_fkey FOREIGN KEY (tenant_id, customer_id)
        REFERENCES customers (tenant_id, id) ON DELETE CASCADE;
