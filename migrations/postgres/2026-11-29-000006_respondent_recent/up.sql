-- Intake counts recent complaints about the same issue against the same respondent
-- (collective complaints). Through case_parties that meant visiting every earlier case of
-- the respondent, which grows without bound for a big platform. The respondent's USCC and
-- name on the case row, with these indexes, make it a range scan of the recent window.
ALTER TABLE cases ADD COLUMN respondent_uscc TEXT;
ALTER TABLE cases ADD COLUMN respondent_name TEXT NOT NULL DEFAULT '';
UPDATE cases SET
    respondent_uscc = (SELECT p.uscc FROM case_parties p
                       WHERE p.case_id = cases.id AND p.role = 'respondent' ORDER BY p.id LIMIT 1),
    respondent_name = coalesce((SELECT p.name FROM case_parties p
                       WHERE p.case_id = cases.id AND p.role = 'respondent' ORDER BY p.id LIMIT 1), '');
CREATE INDEX cases_respondent_uscc_recent ON cases (respondent_uscc, nature, received_at);
CREATE INDEX cases_respondent_name_recent ON cases (respondent_name, nature, received_at);
