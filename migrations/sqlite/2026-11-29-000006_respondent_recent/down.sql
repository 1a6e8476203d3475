DROP INDEX cases_respondent_name_recent;
DROP INDEX cases_respondent_uscc_recent;
ALTER TABLE cases DROP COLUMN respondent_name;
ALTER TABLE cases DROP COLUMN respondent_uscc;
