DROP TRIGGER case_events_no_update;
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
DROP TABLE event_personal;
ALTER TABLE case_events DROP COLUMN chain_format;
ALTER TABLE case_events DROP COLUMN personal_digest;
