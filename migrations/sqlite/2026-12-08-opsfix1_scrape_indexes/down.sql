DROP INDEX documents_pdf_sha256;
DROP INDEX cases_open_state_due;
