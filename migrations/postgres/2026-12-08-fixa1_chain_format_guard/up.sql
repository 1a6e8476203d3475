-- Every event written from now on is format 2: the one allowed rewrite (format 1 to 2) can
-- then never apply to an event written later.
CREATE FUNCTION case_events_format2_only() RETURNS trigger AS $$
BEGIN
    IF NEW.chain_format IS DISTINCT FROM 2 THEN
        RAISE EXCEPTION 'case_events takes format-2 events only';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER case_events_format2_only BEFORE INSERT ON case_events
FOR EACH ROW EXECUTE FUNCTION case_events_format2_only();

-- The upgrade may also move a free-text reason into the personal part (the column becomes
-- NULL), and only a WeChat actor may shrink to its prefix.
CREATE OR REPLACE FUNCTION case_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND OLD.chain_format = 1 AND NEW.chain_format = 2
        AND NEW.id = OLD.id AND NEW.case_id = OLD.case_id AND NEW.case_seq = OLD.case_seq
        AND NEW.kind = OLD.kind AND NEW.actor_role = OLD.actor_role AND NEW.at = OLD.at
        AND NEW.from_state IS NOT DISTINCT FROM OLD.from_state
        AND NEW.to_state IS NOT DISTINCT FROM OLD.to_state
        AND (NEW.reason IS NOT DISTINCT FROM OLD.reason OR NEW.reason IS NULL)
        AND (NEW.actor = OLD.actor OR (NEW.actor = 'wechat:' AND OLD.actor LIKE 'wechat:%'))
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'case_events is append-only';
END;
$$ LANGUAGE plpgsql;

-- Where the start-up upgrade looks for work without reading the whole log.
CREATE INDEX case_events_format1 ON case_events (case_id) WHERE chain_format = 1;
