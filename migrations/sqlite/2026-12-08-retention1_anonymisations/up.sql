-- Cases whose personal data was removed (retention period over, or a data subject's lawful
-- erasure request, PIPL Art. 47). Holds no personal data: the ground is a code.
CREATE TABLE case_anonymisations (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    ground TEXT NOT NULL,
    anonymised_at TIMESTAMP NOT NULL
);
