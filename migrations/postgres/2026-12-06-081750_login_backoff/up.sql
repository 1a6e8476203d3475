-- Sign-in failures are no longer counted per e-mail in the database (anyone could lock an
-- account out): they back off per (client address, account) in each node's memory.
DROP TABLE login_failures;
