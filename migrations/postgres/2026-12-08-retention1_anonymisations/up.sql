-- Cases whose personal data was removed (retention period over, or a data subject's lawful
-- erasure request, PIPL Art. 47). Holds no personal data: the ground is a code.
CREATE TABLE case_anonymisations (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    ground TEXT NOT NULL,
    anonymised_at TIMESTAMP NOT NULL
);

-- An issued document stays frozen, but the anonymisation of its case may erase its page,
-- fields and PDF (to '', '{}' and 'erased'); its number, kind, dates and hashes stay.
CREATE OR REPLACE FUNCTION documents_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
        OR NEW.sha256 IS DISTINCT FROM OLD.sha256
        OR NEW.number IS DISTINCT FROM OLD.number OR NEW.title IS DISTINCT FROM OLD.title
        OR NEW.verify_code IS DISTINCT FROM OLD.verify_code OR NEW.case_id IS DISTINCT FROM OLD.case_id
        OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.audience IS DISTINCT FROM OLD.audience
        OR NEW.issued_on IS DISTINCT FROM OLD.issued_on OR NEW.replaces_id IS DISTINCT FROM OLD.replaces_id
        OR (NOT (NEW.html = '' AND NEW.fields = '{}' AND NEW.pdf_sha256 = 'erased')
            AND (NEW.html IS DISTINCT FROM OLD.html OR NEW.fields IS DISTINCT FROM OLD.fields
                 OR (OLD.pdf_sha256 IS NOT NULL AND NEW.pdf_sha256 IS DISTINCT FROM OLD.pdf_sha256))) THEN
        RAISE EXCEPTION 'documents are frozen once issued';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
