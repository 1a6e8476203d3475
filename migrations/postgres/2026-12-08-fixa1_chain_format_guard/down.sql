DROP INDEX case_events_format1;
DROP TRIGGER case_events_format2_only ON case_events;
DROP FUNCTION case_events_format2_only();
CREATE OR REPLACE FUNCTION case_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND OLD.chain_format = 1 AND NEW.chain_format = 2
        AND NEW.id = OLD.id AND NEW.case_id = OLD.case_id AND NEW.case_seq = OLD.case_seq
        AND NEW.kind = OLD.kind AND NEW.actor_role = OLD.actor_role AND NEW.at = OLD.at
        AND NEW.from_state IS NOT DISTINCT FROM OLD.from_state
        AND NEW.to_state IS NOT DISTINCT FROM OLD.to_state
        AND NEW.reason IS NOT DISTINCT FROM OLD.reason
        AND (NEW.actor = OLD.actor OR NEW.actor = 'wechat:')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'case_events is append-only';
END;
$$ LANGUAGE plpgsql;
