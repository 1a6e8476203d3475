-- Quarterly bulletins: a draft holds computed figures plus editable typical cases and tips;
-- publishing freezes it with the hash of its inputs. A correction is a new version.
CREATE TABLE bulletins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    period TEXT NOT NULL,
    from_date DATE NOT NULL,
    to_date DATE NOT NULL,
    as_of DATE NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'superseded')),
    figures TEXT NOT NULL,
    inputs_hash TEXT NOT NULL,
    typical_cases TEXT NOT NULL,
    tips TEXT NOT NULL,
    erratum TEXT,
    supersedes BIGINT REFERENCES bulletins (id),
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP
);
CREATE UNIQUE INDEX bulletins_period_version ON bulletins (period, version);

-- Figures of past periods loaded by `odrdesk import` (same long layout as the CSV open data),
-- so year-on-year change is known before odrdesk has a year of its own records.
CREATE TABLE history_aggregates (
    period TEXT NOT NULL,
    tbl TEXT NOT NULL,
    code TEXT NOT NULL,
    count BIGINT NOT NULL CHECK (count >= 0),
    imported_at TIMESTAMP NOT NULL,
    PRIMARY KEY (period, tbl, code)
);
