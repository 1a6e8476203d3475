DROP INDEX case_parties_name;
DROP INDEX case_parties_phone;
