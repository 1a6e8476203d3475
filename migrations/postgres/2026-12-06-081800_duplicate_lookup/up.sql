-- Intake links a new complaint to one earlier complaint from the same phone, reading only the
-- phone's latest complaints newest first: this index serves that without a sort, and covers
-- every lookup by phone alone.
CREATE INDEX case_parties_phone_case ON case_parties (phone, role, case_id);
DROP INDEX case_parties_phone;
