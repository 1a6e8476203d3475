-- Consumer warnings (消费预警, Order 121 Art. 38): one row per version. A draft holds the
-- editor's title and text and the figures computed from an alert or a hot term; publishing
-- freezes it. A correction is a new version that supersedes the one it corrects.
CREATE TABLE warnings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'superseded')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT,
    figures TEXT NOT NULL,
    erratum TEXT,
    supersedes BIGINT REFERENCES warnings (id),
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP
);
CREATE INDEX warnings_status_published ON warnings (status, published_at);
CREATE UNIQUE INDEX warnings_one_successor ON warnings (supersedes);
