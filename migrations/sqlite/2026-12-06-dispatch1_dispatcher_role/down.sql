PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE users_before AS SELECT * FROM users;
DROP TABLE users;
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'mediator', 'analyst', 'enterprise')),
    uscc TEXT,
    display_name TEXT,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO users (id, email, password_hash, role, uscc, display_name, active, created_at)
    SELECT id, email, password_hash, role, uscc, display_name, active, created_at
    FROM users_before
    WHERE role <> 'dispatcher';
DROP TABLE users_before;
