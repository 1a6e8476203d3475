DROP INDEX case_events_format1;
DROP TRIGGER case_events_format2_only;
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
