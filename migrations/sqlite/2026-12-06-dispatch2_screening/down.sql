DROP INDEX case_parties_address_case;
DROP INDEX case_parties_id_number_case;
DROP TABLE case_screening;
