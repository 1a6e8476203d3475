-- `/metrics` counts webhook deliveries given up on every scrape: through this index, not
-- the whole table of delivered ones.
CREATE INDEX webhook_deliveries_dead ON webhook_deliveries (dead_at) WHERE dead_at IS NOT NULL;
