-- Cases whose personal data was removed (retention period over, or a data subject's lawful
-- erasure request, PIPL Art. 47). Holds no personal data: the ground is a code.
CREATE TABLE case_anonymisations (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    ground TEXT NOT NULL,
    anonymised_at TIMESTAMP NOT NULL
);

-- An issued document stays frozen, but the anonymisation of its case may erase its page,
-- fields and PDF (to '', '{}' and 'erased'); its number, kind, dates and hashes stay.
DROP TRIGGER documents_frozen;
CREATE TRIGGER documents_frozen BEFORE UPDATE ON documents
WHEN NEW.sha256 IS NOT OLD.sha256 OR NEW.number IS NOT OLD.number OR NEW.title IS NOT OLD.title
    OR NEW.verify_code IS NOT OLD.verify_code
    OR NEW.case_id IS NOT OLD.case_id OR NEW.kind IS NOT OLD.kind OR NEW.audience IS NOT OLD.audience
    OR NEW.issued_on IS NOT OLD.issued_on OR NEW.replaces_id IS NOT OLD.replaces_id
    OR (NOT (NEW.html = '' AND NEW.fields = '{}' AND NEW.pdf_sha256 = 'erased')
        AND (NEW.html IS NOT OLD.html OR NEW.fields IS NOT OLD.fields
             OR (OLD.pdf_sha256 IS NOT NULL AND NEW.pdf_sha256 IS NOT OLD.pdf_sha256)))
BEGIN SELECT RAISE(ABORT, 'documents are frozen once issued'); END;
