-- Work orders imported from the national 12315 platform, keyed by the platform's 登记编号:
-- each became one case; the SHA-256 of the row as last imported tells an unchanged row (skipped)
-- from a changed one (logged on its case as work_order_changed).
CREATE TABLE work_orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    registration_no TEXT NOT NULL UNIQUE,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    row_sha256 TEXT NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX work_orders_case ON work_orders (case_id);
