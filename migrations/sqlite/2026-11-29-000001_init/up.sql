-- Timestamps are UTC; *_date columns are calendar dates in Asia/Shanghai.
CREATE TABLE case_counters (
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (kind, year)
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_no TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('complaint', 'report')),
    state TEXT NOT NULL,
    tracking_token_hash TEXT NOT NULL,
    channel TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    received_date DATE NOT NULL,
    policy_version TEXT NOT NULL,
    due_date DATE NOT NULL,
    due_provisional BOOLEAN NOT NULL,
    district TEXT NOT NULL,
    category TEXT,
    nature TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    claim TEXT,
    prefer_odr BOOLEAN NOT NULL,
    purchase_date DATE,
    purchase_amount_fen BIGINT CHECK (purchase_amount_fen >= 0),
    purchase_online BOOLEAN,
    purchase_platform TEXT,
    purchase_order_no TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX cases_received_at ON cases (received_at);
CREATE INDEX cases_district_state ON cases (district, state);

CREATE TABLE case_links (
    case_id BIGINT NOT NULL REFERENCES cases (id),
    linked_case_id BIGINT NOT NULL REFERENCES cases (id),
    relation TEXT NOT NULL,
    PRIMARY KEY (case_id, linked_case_id, relation)
);

CREATE TABLE case_parties (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    role TEXT NOT NULL CHECK (role IN ('complainant', 'reporter', 'respondent', 'agent')),
    name TEXT,
    phone TEXT,
    email TEXT,
    address TEXT,
    id_number TEXT,
    uscc TEXT,
    district TEXT,
    platform TEXT
);
CREATE INDEX case_parties_case ON case_parties (case_id);
CREATE INDEX case_parties_uscc ON case_parties (uscc);

CREATE TABLE case_products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    name TEXT NOT NULL,
    brand TEXT,
    cosmetics_id TEXT,
    cosmetics_id_kind TEXT,
    batch TEXT
);
CREATE INDEX case_products_case ON case_products (case_id);

CREATE TABLE adverse_reactions (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    onset_date DATE NOT NULL,
    symptoms TEXT NOT NULL,
    body_site TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('general', 'serious', 'public_concern')),
    started_use DATE,
    stopped_use DATE,
    treatment TEXT,
    allergy_history TEXT
);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    sha256 TEXT NOT NULL,
    mime TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    original_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_case ON attachments (case_id);
CREATE INDEX attachments_sha ON attachments (sha256);

-- Append-only: every change of a case is an event; hash chains events of one case.
CREATE TABLE case_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    case_seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    from_state TEXT,
    to_state TEXT,
    reason TEXT,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (case_id, case_seq)
);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;

CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    sealed_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, key_hash)
);
