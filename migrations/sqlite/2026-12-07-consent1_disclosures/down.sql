DROP TABLE case_disclosures;
