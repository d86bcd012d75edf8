-- Grid governance, continued (issue 8): who works each grid, the categories of community problems
-- with their departments and time limits (also Open311's services), the events themselves with
-- their step deadlines, trail and photos, patrol check-ins, and Open311 api keys. Coordinates are
-- kept as integer micro-degrees (WGS 84), exact on both databases and indexable.
ALTER TABLE grids ADD COLUMN region_id INTEGER REFERENCES regions(id);

CREATE TABLE grid_members (
    grid_id  INTEGER NOT NULL REFERENCES grids(id),
    user_id  INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (grid_id, user_id)
);
CREATE INDEX grid_members_user ON grid_members (user_id);

CREATE TABLE event_categories (
    id             INTEGER PRIMARY KEY,
    code           TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    group_name     TEXT    NOT NULL DEFAULT '',
    description    TEXT    NOT NULL DEFAULT '',
    keywords       TEXT    NOT NULL DEFAULT '',
    department_id  INTEGER REFERENCES departments(id),
    limit_amount   INTEGER NOT NULL,
    limit_unit     TEXT    NOT NULL CHECK (limit_unit IN ('minutes', 'hours', 'working_days')),
    attributes     TEXT    NOT NULL DEFAULT '[]',
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);

CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    number          TEXT    NOT NULL UNIQUE,
    source          TEXT    NOT NULL,
    category_id     INTEGER REFERENCES event_categories(id),
    grid_id         INTEGER REFERENCES grids(id),
    department_id   INTEGER REFERENCES departments(id),
    region_id       INTEGER NOT NULL REFERENCES regions(id),
    reporter_id     INTEGER REFERENCES users(id),
    reporter_name   TEXT    NOT NULL DEFAULT '',
    reporter_phone  TEXT    NOT NULL DEFAULT '',
    reporter_email  TEXT    NOT NULL DEFAULT '',
    description     TEXT    NOT NULL,
    address         TEXT    NOT NULL DEFAULT '',
    lon_e6          INTEGER,
    lat_e6          INTEGER,
    attributes      TEXT    NOT NULL DEFAULT '{}',
    token           TEXT UNIQUE,
    state           TEXT    NOT NULL,
    decline_reason  TEXT,
    step_at         TEXT,
    dispatched_at   TEXT,
    register_due    TEXT,
    dispatch_due    TEXT,
    sign_due        TEXT,
    handle_due      TEXT,
    returns         INTEGER NOT NULL DEFAULT 0,
    ext_days        INTEGER,
    ext_reason      TEXT,
    ext_approved    BOOLEAN,
    result          TEXT,
    fed_back_at     TEXT,
    on_time         BOOLEAN,
    verify_note     TEXT,
    verify_photo    TEXT,
    reopened        INTEGER NOT NULL DEFAULT 0,
    urges           INTEGER NOT NULL DEFAULT 0,
    satisfaction    INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    reported_at     TEXT    NOT NULL,
    closed_at       TEXT,
    updated_at      TEXT    NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX events_reported ON events (reported_at);
CREATE INDEX events_state ON events (state);
CREATE INDEX events_near ON events (category_id, lat_e6, lon_e6);
CREATE INDEX events_grid ON events (grid_id);
CREATE INDEX events_department ON events (department_id, state);
CREATE INDEX events_reporter ON events (reporter_id);

CREATE TABLE event_log (
    id          INTEGER PRIMARY KEY,
    event_id    INTEGER NOT NULL REFERENCES events(id),
    at          TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    actor_id    INTEGER REFERENCES users(id),
    actor_name  TEXT    NOT NULL,
    note        TEXT
);
CREATE INDEX event_log_of ON event_log (event_id);

-- Photos of an event: taken when it was reported, fed back or verified on site.
CREATE TABLE event_photos (
    id            INTEGER PRIMARY KEY,
    event_id      INTEGER NOT NULL REFERENCES events(id),
    stage         TEXT    NOT NULL CHECK (stage IN ('report', 'handle', 'verify')),
    file_name     TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    added_by      INTEGER REFERENCES users(id),
    added_at      TEXT    NOT NULL
);
CREATE INDEX event_photos_of ON event_photos (event_id);

-- Patrols (痕迹化管理): a grid worker's check-ins with time and place, located to a grid.
CREATE TABLE patrol_checkins (
    id       INTEGER PRIMARY KEY,
    user_id  INTEGER NOT NULL REFERENCES users(id),
    grid_id  INTEGER REFERENCES grids(id),
    lon_e6   INTEGER NOT NULL,
    lat_e6   INTEGER NOT NULL,
    note     TEXT    NOT NULL DEFAULT '',
    at       TEXT    NOT NULL
);
CREATE INDEX patrol_checkins_user ON patrol_checkins (user_id, at);
CREATE INDEX patrol_checkins_grid ON patrol_checkins (grid_id, at);

-- Open311 api keys: kept as their SHA-256, each named for the client it was issued to.
CREATE TABLE open311_keys (
    id          INTEGER PRIMARY KEY,
    key_sha256  TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TEXT    NOT NULL
);
