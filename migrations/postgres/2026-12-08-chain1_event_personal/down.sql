CREATE OR REPLACE FUNCTION case_events_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'case_events is append-only'; END;
$$ LANGUAGE plpgsql;
DROP TABLE event_personal;
DROP FUNCTION event_personal_frozen();
ALTER TABLE case_events DROP COLUMN chain_format;
ALTER TABLE case_events DROP COLUMN personal_digest;
