-- `/metrics` counts open cases by state and due date on every scrape, and the orphan sweep
-- asks whether a printed PDF is still referenced: both read through an index, not the table.
CREATE INDEX cases_open_state_due ON cases (state, due_date) WHERE closed_on IS NULL;
CREATE INDEX documents_pdf_sha256 ON documents (pdf_sha256);
