DROP FUNCTION event_feed_horizon();
DROP FUNCTION prune_domain_events(timestamptz, integer);
DROP FUNCTION record_webhook_attempts(uuid[], uuid[], uuid[], integer[], timestamptz[], boolean[],
                                      integer[], integer[], text[], text[], text[], timestamptz[]);
DROP FUNCTION claim_webhook_deliveries(integer, interval);
DROP TRIGGER domain_events_webhooks ON domain_events;
DROP FUNCTION queue_webhook_deliveries();
DROP POLICY delivery_worker ON domain_events;
DROP POLICY retention ON domain_events;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP INDEX domain_events_age_idx;
DROP INDEX domain_events_feed_idx;
ALTER TABLE domain_events DROP COLUMN txid, DROP COLUMN payload_version;
