DROP TABLE phone_sessions;
DROP TABLE phone_codes;
