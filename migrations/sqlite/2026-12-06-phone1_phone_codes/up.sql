-- One-time SMS codes that let a consumer see every case filed with their mobile number. The
-- code is kept only as an argon2 hash; a newer code for a number supersedes the older ones
-- (consumed), a code dies after five wrong tries or five minutes. Rows of the last day are
-- also the per-number count of codes sent, so the limit holds across nodes.
CREATE TABLE phone_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    phone TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    consumed BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX phone_codes_phone ON phone_codes (phone, created_at);
CREATE INDEX phone_codes_created ON phone_codes (created_at);

-- What a correct code opens: a short session scoped to one number, held by the token's hash.
CREATE TABLE phone_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    phone TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX phone_sessions_expires ON phone_sessions (expires_at);
