-- What an order came from: the deal it closes and the campaign that brought
-- it, for attribution and revenue by campaign.
ALTER TABLE orders
    ADD COLUMN deal_id  uuid,
    ADD COLUMN campaign text CHECK (length(btrim(campaign)) BETWEEN 1 AND 200),
    ADD CONSTRAINT orders_deal_fkey FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, id);
CREATE INDEX orders_deal_idx ON orders (tenant_id, deal_id) WHERE deal_id IS NOT NULL;
CREATE INDEX orders_campaign_idx ON orders (tenant_id, campaign) WHERE campaign IS NOT NULL;
