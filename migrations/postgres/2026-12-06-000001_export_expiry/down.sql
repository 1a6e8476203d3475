ALTER TABLE exports DROP COLUMN expired_at;
