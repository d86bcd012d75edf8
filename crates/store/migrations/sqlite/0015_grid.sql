-- Grid governance (网格化管理, issue 8): grids of three levels or more, each with its boundary
-- as a GeoJSON geometry (checked before it is written), its parent and its leader.
CREATE TABLE grids (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    parent_id   INTEGER REFERENCES grids(id),
    leader_id   INTEGER REFERENCES users(id),
    geometry    TEXT    NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX grids_parent ON grids (parent_id);
CREATE INDEX grids_level ON grids (level);
