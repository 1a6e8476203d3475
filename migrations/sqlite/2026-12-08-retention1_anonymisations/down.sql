DROP TABLE case_anonymisations;
