CREATE OR REPLACE FUNCTION documents_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
        OR NEW.html IS DISTINCT FROM OLD.html OR NEW.sha256 IS DISTINCT FROM OLD.sha256
        OR NEW.number IS DISTINCT FROM OLD.number OR NEW.title IS DISTINCT FROM OLD.title
        OR NEW.fields IS DISTINCT FROM OLD.fields
        OR NEW.verify_code IS DISTINCT FROM OLD.verify_code OR NEW.case_id IS DISTINCT FROM OLD.case_id
        OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.audience IS DISTINCT FROM OLD.audience
        OR NEW.issued_on IS DISTINCT FROM OLD.issued_on OR NEW.replaces_id IS DISTINCT FROM OLD.replaces_id
        OR (OLD.pdf_sha256 IS NOT NULL AND NEW.pdf_sha256 IS DISTINCT FROM OLD.pdf_sha256) THEN
        RAISE EXCEPTION 'documents are frozen once issued';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TABLE case_anonymisations;
