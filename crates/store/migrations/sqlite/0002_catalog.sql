-- The service catalog: matters, their versioned guides, life events / themes / bundles.

CREATE TABLE matters (
    id                   INTEGER PRIMARY KEY,
    code                 TEXT    NOT NULL UNIQUE,
    department_id        INTEGER NOT NULL REFERENCES departments(id),
    name                 TEXT    NOT NULL,
    published_version_id INTEGER REFERENCES guide_versions(id),
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL
);
CREATE INDEX matters_department ON matters(department_id);

-- A guide's content is one JSON document per version: what a case was filed under must stay
-- exactly as it was, whatever the next version changes.
CREATE TABLE guide_versions (
    id           INTEGER PRIMARY KEY,
    matter_id    INTEGER NOT NULL REFERENCES matters(id),
    number       INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    note         TEXT,
    created_by   INTEGER REFERENCES users(id),
    created_at   TEXT    NOT NULL,
    submitted_at TEXT,
    reviewed_by  INTEGER REFERENCES users(id),
    reviewed_at  TEXT,
    UNIQUE (matter_id, number)
);
CREATE INDEX guide_versions_status ON guide_versions(status);

CREATE TABLE topics (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    audience    TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    sort        INTEGER NOT NULL DEFAULT 0,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

CREATE TABLE topic_matters (
    topic_id  INTEGER NOT NULL REFERENCES topics(id),
    matter_id INTEGER NOT NULL REFERENCES matters(id),
    position  INTEGER NOT NULL,
    PRIMARY KEY (topic_id, matter_id)
);
CREATE INDEX topic_matters_matter ON topic_matters(matter_id);

-- Bumped by every change the public catalog shows, so that each instance knows when to rebuild
-- its search index.
CREATE TABLE catalog_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO catalog_state (id, generation) VALUES (1, 0);
