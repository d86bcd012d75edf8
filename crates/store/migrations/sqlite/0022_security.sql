-- Issue 26. Who uploaded which file: an uploaded file is bound to whoever uploaded it, so that
-- a record naming a file by its hash names one of the namer's own (or their station's).
CREATE TABLE file_uploads (
    sha256      TEXT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    purpose     TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    PRIMARY KEY (sha256, purpose, user_id)
);

-- The security log: refused requests for records and failed sign-ins, with who, from where
-- and when. Not part of the audit hash chain (it records attempts, not changes), kept apart so
-- that walking ids or guessing passwords is seen.
CREATE TABLE security_events (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    kind     TEXT NOT NULL,
    user_id  INTEGER,
    username TEXT,
    addr     TEXT NOT NULL,
    method   TEXT NOT NULL,
    path     TEXT NOT NULL,
    status   INTEGER NOT NULL
);
CREATE INDEX security_events_at ON security_events (at);
CREATE INDEX security_events_addr ON security_events (addr, at);
