-- Intake looks up earlier complaints by the complainant's phone (likely duplicates) and
-- by the respondent's name when no USCC is given (collective complaints); without these
-- indexes each intake scans every party row.
CREATE INDEX case_parties_phone ON case_parties (phone);
CREATE INDEX case_parties_name ON case_parties (name);
