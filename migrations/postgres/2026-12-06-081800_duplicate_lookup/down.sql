CREATE INDEX case_parties_phone ON case_parties (phone);
DROP INDEX case_parties_phone_case;
