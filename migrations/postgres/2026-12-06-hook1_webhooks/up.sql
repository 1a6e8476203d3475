-- An ODR business's own system: API keys of an enterprise account (kept only as a SHA-256
-- hash), the business's one webhook endpoint (its signing secret sealed under the server key,
-- since the server must sign with it), and the webhook deliveries, written in the transaction
-- of the step that causes them and keyed by that step so a retried transaction makes no second.
CREATE TABLE enterprise_api_keys (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    key_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX enterprise_api_keys_user ON enterprise_api_keys (user_id);

CREATE TABLE webhook_endpoints (
    id BIGSERIAL PRIMARY KEY,
    uscc TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    uscc TEXT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    case_no TEXT NOT NULL,
    event_type TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    delivered_at TIMESTAMP,
    dead_at TIMESTAMP,
    last_status INTEGER,
    last_error TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX webhook_deliveries_uscc ON webhook_deliveries (uscc, id);
