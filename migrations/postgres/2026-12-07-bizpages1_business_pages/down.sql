DROP INDEX cases_respondent_kind_received;
ALTER TABLE enterprises DROP COLUMN odr_since;
