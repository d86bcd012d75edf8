-- Petition agency (信访代理, issue 10): stations in villages and communities with their agents,
-- cases taken in under a signed authorization with their errands and trail, and the leaders'
-- reception rota.
CREATE TABLE petition_stations (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    region_id   INTEGER NOT NULL REFERENCES regions(id),
    address     TEXT    NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT    NOT NULL
);
CREATE INDEX petition_stations_region ON petition_stations (region_id);

CREATE TABLE petition_agents (
    station_id  INTEGER NOT NULL REFERENCES petition_stations(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (station_id, user_id)
);
CREATE INDEX petition_agents_user ON petition_agents (user_id);

CREATE TABLE petitions (
    id                    INTEGER PRIMARY KEY,
    number                TEXT    NOT NULL UNIQUE,
    station_id            INTEGER NOT NULL REFERENCES petition_stations(id),
    agent_id              INTEGER NOT NULL REFERENCES users(id),
    ledger                TEXT    NOT NULL,
    petitioner_name       TEXT    NOT NULL,
    petitioner_id_number  TEXT    NOT NULL,
    petitioner_phone      TEXT    NOT NULL,
    petitioner_address    TEXT    NOT NULL DEFAULT '',
    subject               TEXT    NOT NULL,
    detail                TEXT    NOT NULL DEFAULT '',
    auth_sha256           TEXT    NOT NULL,
    auth_file_name        TEXT    NOT NULL,
    auth_signed_on        TEXT    NOT NULL,
    guarantor_id          INTEGER REFERENCES users(id),
    region_id             INTEGER NOT NULL REFERENCES regions(id),
    taken_on              TEXT    NOT NULL,
    state                 TEXT    NOT NULL,
    steps                 TEXT    NOT NULL DEFAULT '[]',
    petitioner_visits     INTEGER NOT NULL DEFAULT 0,
    outcome               TEXT,
    resolved_on           TEXT,
    satisfaction          INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    feedback              TEXT,
    created_at            TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL,
    version               INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX petitions_station ON petitions (station_id);
CREATE INDEX petitions_agent ON petitions (agent_id);
CREATE INDEX petitions_taken ON petitions (taken_on);

CREATE TABLE petition_log (
    id           INTEGER PRIMARY KEY,
    petition_id  INTEGER NOT NULL REFERENCES petitions(id),
    at           TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    actor_id     INTEGER REFERENCES users(id),
    actor_name   TEXT    NOT NULL,
    note         TEXT
);
CREATE INDEX petition_log_of ON petition_log (petition_id);

-- 领导接访: one leader a working day.
CREATE TABLE reception_rota (
    day        TEXT    PRIMARY KEY,
    leader_id  INTEGER NOT NULL REFERENCES users(id)
);
