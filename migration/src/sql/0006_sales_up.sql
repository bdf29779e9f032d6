-- Sales records: what a tenant sells (products, price lists), what its
-- customers bought (orders and their lines), and the dated exchange rates
-- that report money in the tenant's base currency.
--
-- Money is `numeric` with an ISO 4217 code next to it, never a float. Order
-- and line totals are computed once by the application (exact decimals,
-- rounded to the currency's minor units) and stored, so every reader sums
-- the same figures.

CREATE TABLE products (
    tenant_id          uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                 uuid          NOT NULL,
    version            integer       NOT NULL DEFAULT 1 CHECK (version > 0),
    sku                text          NOT NULL CHECK (length(btrim(sku)) BETWEEN 1 AND 64),
    name               text          NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    category           text,
    -- What one unit costs the tenant, for margins; both or neither.
    unit_cost          numeric(20,4) CHECK (unit_cost >= 0),
    unit_cost_currency text          CHECK (unit_cost_currency ~ '^[A-Z]{3}$'),
    active             boolean       NOT NULL DEFAULT true,
    created_by         uuid,
    created_at         timestamptz   NOT NULL DEFAULT now(),
    updated_at         timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT products_sku_key UNIQUE (tenant_id, sku),
    CONSTRAINT products_cost_with_currency CHECK ((unit_cost IS NULL) = (unit_cost_currency IS NULL))
);
-- Keyset pagination: every order ends with id. (The unique key serves SKU order.)
CREATE INDEX products_name_idx ON products (tenant_id, lower(name), id);
CREATE INDEX products_created_idx ON products (tenant_id, created_at, id);
CREATE INDEX products_category_idx ON products (tenant_id, category);

-- One price list per currency: the prices an order in that currency gets
-- when a line gives none.
CREATE TABLE price_lists (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid        NOT NULL,
    version    integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    name       text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    currency   text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT price_lists_currency_key UNIQUE (tenant_id, currency)
);

CREATE TABLE price_list_prices (
    tenant_id     uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    price_list_id uuid          NOT NULL,
    product_id    uuid          NOT NULL,
    unit_price    numeric(20,4) NOT NULL CHECK (unit_price >= 0),
    updated_at    timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, price_list_id, product_id),
    CONSTRAINT price_list_prices_list_fkey FOREIGN KEY (tenant_id, price_list_id)
        REFERENCES price_lists (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT price_list_prices_product_fkey FOREIGN KEY (tenant_id, product_id)
        REFERENCES products (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX price_list_prices_product_idx ON price_list_prices (tenant_id, product_id);

CREATE TABLE orders (
    tenant_id    uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid          NOT NULL,
    version      integer       NOT NULL DEFAULT 1 CHECK (version > 0),
    customer_id  uuid          NOT NULL,
    -- The order's id in the partner system it came from; makes imports idempotent.
    external_id  text          CHECK (length(btrim(external_id)) BETWEEN 1 AND 100),
    ordered_at   timestamptz   NOT NULL,
    currency     text          NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    channel      text          NOT NULL CHECK (channel IN ('DIRECT', 'PARTNER', 'RETAIL', 'WEB')),
    status       text          NOT NULL
                 CHECK (status IN ('PLACED', 'PAID', 'SHIPPED', 'CANCELLED', 'REFUNDED')),
    -- Sum of the lines' net amounts, in `currency`.
    total_amount numeric(30,4) NOT NULL,
    created_by   uuid,
    created_at   timestamptz   NOT NULL DEFAULT now(),
    updated_at   timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT orders_external_id_key UNIQUE (tenant_id, external_id),
    CONSTRAINT orders_customer_fkey FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);
-- Newest first, overall and per customer: the orders every reader wants.
CREATE INDEX orders_ordered_idx ON orders (tenant_id, ordered_at DESC, id DESC);
CREATE INDEX orders_customer_idx ON orders (tenant_id, customer_id, ordered_at DESC, id DESC);

-- No direct foreign key to tenants: the tenant comes with the order (whose
-- key leads with it and which references the tenant), and a second check per
-- line would only slow bulk imports. Deleting a tenant cascades through orders.
CREATE TABLE order_lines (
    tenant_id        uuid          NOT NULL,
    order_id         uuid          NOT NULL,
    line_no          integer       NOT NULL CHECK (line_no > 0),
    product_id       uuid          NOT NULL,
    quantity         numeric(18,4) NOT NULL CHECK (quantity > 0),
    unit_price       numeric(20,4) NOT NULL CHECK (unit_price >= 0),
    -- Percent off the line's gross amount (quantity × unit price).
    discount_percent numeric(7,4)  NOT NULL DEFAULT 0 CHECK (discount_percent BETWEEN 0 AND 100),
    -- Gross less discount, rounded to the order currency's minor units.
    net_amount       numeric(30,4) NOT NULL CHECK (net_amount >= 0),
    PRIMARY KEY (tenant_id, order_id, line_no),
    CONSTRAINT order_lines_order_fkey FOREIGN KEY (tenant_id, order_id)
        REFERENCES orders (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT order_lines_product_fkey FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
-- Sales by product, and the check that a product was never ordered before it is deleted.
CREATE INDEX order_lines_product_idx ON order_lines (tenant_id, product_id);

-- Units of the tenant's base currency per unit of `currency`, in force from
-- `valid_from` until the next rate of the same currency.
CREATE TABLE exchange_rates (
    tenant_id  uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    currency   text          NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    valid_from date          NOT NULL,
    rate       numeric(28,12) NOT NULL CHECK (rate > 0),
    set_by     uuid,
    created_at timestamptz   NOT NULL DEFAULT now(),
    updated_at timestamptz   NOT NULL DEFAULT now(),
    -- Also the index that finds the rate in force: latest valid_from <= date.
    PRIMARY KEY (tenant_id, currency, valid_from)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['products', 'price_lists', 'price_list_prices', 'orders', 'order_lines',
                             'exchange_rates'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                       'WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE
    ON products, price_lists, price_list_prices, orders, order_lines, exchange_rates TO crm_app;
