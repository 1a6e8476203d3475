DROP TRIGGER documents_frozen;
CREATE TRIGGER documents_frozen BEFORE UPDATE ON documents
WHEN NEW.html IS NOT OLD.html OR NEW.sha256 IS NOT OLD.sha256 OR NEW.number IS NOT OLD.number OR NEW.title IS NOT OLD.title
    OR NEW.fields IS NOT OLD.fields OR NEW.verify_code IS NOT OLD.verify_code
    OR NEW.case_id IS NOT OLD.case_id OR NEW.kind IS NOT OLD.kind OR NEW.audience IS NOT OLD.audience
    OR NEW.issued_on IS NOT OLD.issued_on OR NEW.replaces_id IS NOT OLD.replaces_id
    OR (OLD.pdf_sha256 IS NOT NULL AND NEW.pdf_sha256 IS NOT OLD.pdf_sha256)
BEGIN SELECT RAISE(ABORT, 'documents are frozen once issued'); END;
DROP TABLE case_anonymisations;
