-- Who imported which 12315 work-order file, when, and what became of its rows: one row per
-- import that wrote (a dry run writes nothing and is only logged).
CREATE TABLE work_order_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    imported_by TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    rows_read BIGINT NOT NULL,
    created BIGINT NOT NULL,
    left_for_dispatch BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    changed BIGINT NOT NULL,
    refused BIGINT NOT NULL,
    imported_at TIMESTAMP NOT NULL
);
CREATE INDEX work_order_imports_at ON work_order_imports (imported_at);
