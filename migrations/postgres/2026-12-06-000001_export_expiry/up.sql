-- An export's file is deleted after a while; the row stays, saying when.
ALTER TABLE exports ADD COLUMN expired_at TIMESTAMP;
