-- A consumer's e-mail address is mailed nothing but the acknowledgement until its owner
-- opens the link in it: anyone can type a stranger's address into a complaint. Only the
-- hash of the link's code is kept. Addresses keyed in by staff are verified from the start.
-- Cases without a row (filed before this table) count as unverified.
CREATE TABLE email_verifications (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    code_hash TEXT,
    verified_at TIMESTAMP
);
