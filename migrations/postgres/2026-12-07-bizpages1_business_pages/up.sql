-- Public business pages: one business's complaints of the last quarters are a range scan of
-- this index, and the list of businesses with complaints in the last 12 months joins on it.
CREATE INDEX cases_respondent_kind_received ON cases (respondent_uscc, kind, received_date);
-- The day a registered business joined ODR (NULL while it is not in ODR); businesses already
-- in ODR are dated from their registration (China date: UTC plus 8 hours), the earliest day known.
ALTER TABLE enterprises ADD COLUMN odr_since DATE;
UPDATE enterprises SET odr_since = CAST(created_at + INTERVAL '8 hours' AS DATE) WHERE odr;
