-- Official documents (文书): rendered once when a decision is taken, never re-rendered. The HTML
-- is the document as issued; its SHA-256 is also in the case's event log (document_issued),
-- and the PDF printed from it later is a blob whose SHA-256 is logged as well (document_printed).
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    bureau TEXT NOT NULL,
    year INTEGER NOT NULL,
    serial INTEGER NOT NULL CHECK (serial > 0),
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    audience TEXT NOT NULL,
    issued_on DATE NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    verify_code TEXT NOT NULL UNIQUE,
    fields TEXT NOT NULL,
    html TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    replaces_id BIGINT REFERENCES documents (id),
    pdf_sha256 TEXT,
    UNIQUE (bureau, kind, year, serial)
);
CREATE INDEX documents_case ON documents (case_id, id);
CREATE INDEX documents_unprinted ON documents (id) WHERE pdf_sha256 IS NULL;

-- The last number each bureau gave each kind of document in a year. Taken and raised in the
-- deciding transaction, so a rolled-back decision leaves no gap and two nodes never share one.
CREATE TABLE document_counters (
    bureau TEXT NOT NULL,
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_serial INTEGER NOT NULL,
    PRIMARY KEY (bureau, kind, year)
);

-- Document templates an administrator loaded (the format of reference/documents.toml); the
-- newest overrides the built-in file.
CREATE TABLE document_templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    definition TEXT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);

-- A document is frozen once issued: only its PDF hash may be set, once.
CREATE TRIGGER documents_frozen BEFORE UPDATE ON documents
WHEN NEW.html IS NOT OLD.html OR NEW.sha256 IS NOT OLD.sha256 OR NEW.number IS NOT OLD.number OR NEW.title IS NOT OLD.title
    OR NEW.fields IS NOT OLD.fields OR NEW.verify_code IS NOT OLD.verify_code
    OR NEW.case_id IS NOT OLD.case_id OR NEW.kind IS NOT OLD.kind OR NEW.audience IS NOT OLD.audience
    OR NEW.issued_on IS NOT OLD.issued_on OR NEW.replaces_id IS NOT OLD.replaces_id
    OR (OLD.pdf_sha256 IS NOT NULL AND NEW.pdf_sha256 IS NOT OLD.pdf_sha256)
BEGIN SELECT RAISE(ABORT, 'documents are frozen once issued'); END;
CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents
BEGIN SELECT RAISE(ABORT, 'documents are frozen once issued'); END;
