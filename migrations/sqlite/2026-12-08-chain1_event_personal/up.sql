-- The personal part of an event, kept apart so it can be forgotten (PIPL) while the chain,
-- which covers its salted digest (`case_events.personal_digest`), still verifies.
ALTER TABLE case_events ADD COLUMN personal_digest TEXT;
ALTER TABLE case_events ADD COLUMN chain_format INTEGER NOT NULL DEFAULT 1;

CREATE TABLE event_personal (
    event_id BIGINT PRIMARY KEY REFERENCES case_events (id),
    salt TEXT NOT NULL,
    content TEXT NOT NULL
);
CREATE TRIGGER event_personal_no_update BEFORE UPDATE ON event_personal
BEGIN SELECT RAISE(ABORT, 'event_personal rows are forgotten, never changed'); END;

-- The one change the log allows: the upgrade of a format-1 event to format 2, which moves
-- its personal part out and rehashes it. Nothing the chain proves as a figure may change.
DROP TRIGGER case_events_no_update;
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
WHEN NOT (
    OLD.chain_format = 1 AND NEW.chain_format = 2
    AND NEW.id = OLD.id AND NEW.case_id = OLD.case_id AND NEW.case_seq = OLD.case_seq
    AND NEW.kind = OLD.kind AND NEW.actor_role = OLD.actor_role AND NEW.at = OLD.at
    AND NEW.from_state IS OLD.from_state AND NEW.to_state IS OLD.to_state
    AND NEW.reason IS OLD.reason
    AND (NEW.actor = OLD.actor OR NEW.actor = 'wechat:')
)
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
