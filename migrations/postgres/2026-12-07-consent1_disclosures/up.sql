-- Publication of complaint information (Order 121 Art. 38): the complainant's consent, given
-- at intake and withdrawn or given again on the tracking page; the business's public reply;
-- and the editor's review. One row per complaint (reports never get one). `published_*` is
-- what the public reads: set on approval, cleared on withdrawal or refusal.
CREATE TABLE case_disclosures (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    consent BOOLEAN NOT NULL,
    consent_changed_at TIMESTAMP NOT NULL,
    reply TEXT,
    reply_at TIMESTAMP,
    review TEXT NOT NULL CHECK (review IN ('queued', 'approved', 'refused')),
    refusal_reason TEXT,
    reviewed_by TEXT,
    reviewed_at TIMESTAMP,
    published_reply TEXT,
    published_at TIMESTAMP
);
CREATE INDEX case_disclosures_queue ON case_disclosures (review, consent);
CREATE INDEX case_disclosures_published ON case_disclosures (published_at);
