-- The city's unified intake unit (Order 121 Art. 41) signs in with the role `dispatcher`.
-- SQLite cannot change a CHECK constraint, so the table is rebuilt under its own name: the
-- rows that refer to users are checked again when the transaction commits, once every user
-- is back with the same id.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE users_before AS SELECT * FROM users;
DROP TABLE users;
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'mediator', 'analyst', 'enterprise', 'dispatcher')),
    uscc TEXT,
    display_name TEXT,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO users (id, email, password_hash, role, uscc, display_name, active, created_at)
    SELECT id, email, password_hash, role, uscc, display_name, active, created_at
    FROM users_before;
DROP TABLE users_before;
