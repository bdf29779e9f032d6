ALTER TABLE customer_changes
    DROP CONSTRAINT customer_changes_customer_fkey,
    ADD CONSTRAINT customer_changes_customer_fkey FOREIGN KEY (tenant_id, customer_id)
        REFERENCES customers (tenant_id, id),
    ADD CONSTRAINT customer_changes_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
ALTER TABLE orders
    DROP CONSTRAINT orders_customer_fkey,
    ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    ADD CONSTRAINT orders_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
