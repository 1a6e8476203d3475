-- Accounts, businesses, sessions, the workflow projection on cases, referrals, mail outbox,
-- and administrator-loaded reference data.
CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'mediator', 'analyst', 'enterprise')),
    uscc TEXT,
    display_name TEXT,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE user_bureaus (
    user_id BIGINT NOT NULL REFERENCES users (id),
    district TEXT NOT NULL,
    PRIMARY KEY (user_id, district)
);

-- Bearer tokens and cookies of staff users and of WeChat consumers; stored hashed.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT REFERENCES users (id),
    consumer_openid TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked BOOLEAN NOT NULL
);

CREATE TABLE login_failures (
    email TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until TIMESTAMP
);

CREATE TABLE api_keys (
    id BIGSERIAL PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked BOOLEAN NOT NULL
);

CREATE TABLE enterprises (
    uscc TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    district TEXT NOT NULL,
    email TEXT,
    odr BOOLEAN NOT NULL,
    -- comma-separated: worry_free, no_reason_return
    commitments TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Projection of the event log kept on the case row for queues; rebuilt by every transition.
ALTER TABLE cases ADD COLUMN assignee_id BIGINT REFERENCES users (id);
ALTER TABLE cases ADD COLUMN consumer_openid TEXT;
ALTER TABLE cases ADD COLUMN flags TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN closed_on DATE;
ALTER TABLE cases ADD COLUMN event_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN last_event_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_state_due ON cases (state, due_date);
CREATE INDEX cases_openid ON cases (consumer_openid);

-- Cosmetics adverse-reaction referral opened from a complaint; its clock is derived.
CREATE TABLE referrals (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    severity TEXT NOT NULL,
    opened_on DATE NOT NULL,
    due_date DATE NOT NULL,
    submitted_on DATE
);

-- Transactional outbox: written with the event, sent later, at most once per dedupe key.
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    case_id BIGINT REFERENCES cases (id),
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);

-- Calendar years and the deadline policy table as loaded by an administrator; they take
-- precedence over the built-in reference files.
CREATE TABLE calendar_years (
    year INTEGER PRIMARY KEY,
    definition TEXT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);

CREATE TABLE policy_tables (
    id BIGSERIAL PRIMARY KEY,
    definition TEXT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);

-- Work that must run once across nodes (sweep, mail) takes a lease here.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    lease_until TIMESTAMP NOT NULL
);
