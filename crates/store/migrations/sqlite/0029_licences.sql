-- Electronic licences (电子证照): the types a matter's result is issued as, the departments'
-- seal keys (the secret sealed under the configured key; rotated keys kept to verify what they
-- signed), and the licences themselves with their status. Numbers come from `counters`
-- (key 'licence:' || prefix, day = 1 January of the year of issue).
CREATE TABLE licence_kinds (
    id            INTEGER PRIMARY KEY,
    code          TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    fields        TEXT    NOT NULL,
    validity      TEXT    NOT NULL,
    prefix        TEXT    NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
ALTER TABLE matters ADD COLUMN licence_kind_id INTEGER REFERENCES licence_kinds(id);

CREATE TABLE seal_keys (
    id            INTEGER PRIMARY KEY,
    key_id        TEXT    NOT NULL UNIQUE,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    public_key    TEXT    NOT NULL,
    sealed_secret TEXT    NOT NULL,
    active        BOOLEAN NOT NULL,
    created_at    TEXT    NOT NULL,
    retired_at    TEXT
);
CREATE INDEX seal_keys_department ON seal_keys (department_id, active);

CREATE TABLE licences (
    id             INTEGER PRIMARY KEY,
    number         TEXT    NOT NULL UNIQUE,
    kind_id        INTEGER NOT NULL REFERENCES licence_kinds(id),
    department_id  INTEGER NOT NULL REFERENCES departments(id),
    holder_kind    TEXT    NOT NULL,
    holder_id      TEXT    NOT NULL,
    holder_name    TEXT    NOT NULL,
    fields         TEXT    NOT NULL,
    issued_on      TEXT    NOT NULL,
    expires_on     TEXT,
    case_id        INTEGER REFERENCES cases(id),
    status         TEXT    NOT NULL,
    status_reason  TEXT,
    key_id         TEXT    NOT NULL REFERENCES seal_keys(key_id),
    verify_code    TEXT    NOT NULL UNIQUE,
    data_signature TEXT    NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);
CREATE INDEX licences_holder ON licences (holder_id);
CREATE INDEX licences_department ON licences (department_id, issued_on);
CREATE INDEX licences_case ON licences (case_id);
