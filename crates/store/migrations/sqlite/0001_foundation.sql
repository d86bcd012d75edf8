-- Foundation: organisation, identity, sessions, audit trail, settings.
-- Instants are UTC, stored as RFC 3339 text; ids are 64-bit integers.

CREATE TABLE regions (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    level       TEXT    NOT NULL,
    parent_id   INTEGER REFERENCES regions(id),
    path        TEXT    NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX regions_parent ON regions(parent_id);
CREATE INDEX regions_path ON regions(path);

CREATE TABLE departments (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    uscc        TEXT    NOT NULL UNIQUE,
    region_id   INTEGER NOT NULL REFERENCES regions(id),
    phone       TEXT,
    address     TEXT,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX departments_region ON departments(region_id);

CREATE TABLE halls (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    region_id   INTEGER NOT NULL REFERENCES regions(id),
    address     TEXT,
    floors      INTEGER NOT NULL,
    phone       TEXT,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    UNIQUE (region_id, name)
);

CREATE TABLE zones (
    id          INTEGER PRIMARY KEY,
    hall_id     INTEGER NOT NULL REFERENCES halls(id),
    name        TEXT    NOT NULL,
    floor       INTEGER NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    UNIQUE (hall_id, name)
);

CREATE TABLE windows (
    id           INTEGER PRIMARY KEY,
    hall_id      INTEGER NOT NULL REFERENCES halls(id),
    zone_id      INTEGER NOT NULL REFERENCES zones(id),
    number       INTEGER NOT NULL,
    label        TEXT,
    confidential BOOLEAN NOT NULL DEFAULT FALSE,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    UNIQUE (hall_id, number)
);
CREATE INDEX windows_zone ON windows(zone_id);

CREATE TABLE window_departments (
    window_id     INTEGER NOT NULL REFERENCES windows(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    PRIMARY KEY (window_id, department_id)
);
CREATE INDEX window_departments_department ON window_departments(department_id);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    username            TEXT    NOT NULL UNIQUE,
    display_name        TEXT    NOT NULL,
    password_hash       TEXT    NOT NULL,
    department_id       INTEGER REFERENCES departments(id),
    region_id           INTEGER REFERENCES regions(id),
    phone               TEXT,
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    large_text          BOOLEAN NOT NULL DEFAULT FALSE,
    lang                TEXT    NOT NULL DEFAULT 'zh',
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    last_login_at       TEXT,
    password_changed_at TEXT    NOT NULL
);
CREATE INDEX users_department ON users(department_id);
CREATE INDEX users_region ON users(region_id);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users(id),
    role    TEXT    NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    id              INTEGER PRIMARY KEY,
    token_hash      TEXT    NOT NULL UNIQUE,
    user_id         INTEGER NOT NULL REFERENCES users(id),
    kind            TEXT    NOT NULL,
    csrf_token      TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    last_seen_at    TEXT    NOT NULL,
    idle_expires_at TEXT    NOT NULL,
    expires_at      TEXT    NOT NULL,
    client_addr     TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_attempts (
    id          INTEGER PRIMARY KEY,
    username    TEXT    NOT NULL,
    client_addr TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    success     BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_username ON login_attempts(username, at);
CREATE INDEX login_attempts_addr ON login_attempts(client_addr, at);
CREATE INDEX login_attempts_at ON login_attempts(at);

-- The head of the hash chain: one row, locked by every append so entries are numbered without
-- gaps and chained in order, also with several instances on one database.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    at            TEXT    NOT NULL,
    actor_id      INTEGER,
    actor_name    TEXT    NOT NULL,
    actor_role    TEXT    NOT NULL,
    action        TEXT    NOT NULL,
    target_type   TEXT    NOT NULL,
    target_id     INTEGER,
    department_id INTEGER,
    region_id     INTEGER,
    summary       TEXT    NOT NULL,
    client_addr   TEXT,
    request_id    TEXT,
    prev_hash     TEXT    NOT NULL,
    hash          TEXT    NOT NULL
);
CREATE INDEX audit_log_target ON audit_log(target_type, target_id);
CREATE INDEX audit_log_department ON audit_log(department_id);
CREATE INDEX audit_log_actor ON audit_log(actor_id);

-- The log is append-only: the database itself refuses edits and deletions made through SQL
-- that is not a deliberate attack on the file.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
