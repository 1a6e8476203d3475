DROP TABLE case_rights_holders;
