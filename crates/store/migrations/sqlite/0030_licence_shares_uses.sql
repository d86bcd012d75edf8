-- Shares of a licence (授权用证): a link its holder gives someone, for a while and for some of
-- its fields; each opening is counted (and in the trail).
CREATE TABLE licence_shares (
    id          INTEGER PRIMARY KEY,
    licence_id  INTEGER NOT NULL REFERENCES licences(id),
    token       TEXT    NOT NULL UNIQUE,
    fields      TEXT    NOT NULL,
    recipient   TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    revoked_at  TEXT,
    opens       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX licence_shares_licence ON licence_shares (licence_id);

-- A licence standing for a material of a case (电子证照·免提交), written with the case: the
-- figures count these, and the licence's trail names the case.
CREATE TABLE licence_uses (
    id            INTEGER PRIMARY KEY,
    licence_id    INTEGER NOT NULL REFERENCES licences(id),
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    material      TEXT    NOT NULL,
    department_id INTEGER NOT NULL,
    used_at       TEXT NOT NULL
);
CREATE INDEX licence_uses_licence ON licence_uses (licence_id);
CREATE INDEX licence_uses_department ON licence_uses (department_id, used_at);

-- Self-print at a hall's kiosk: a one-time code the holder gets in the library, spent by the
-- print (with the hall), counted.
CREATE TABLE licence_prints (
    id          INTEGER PRIMARY KEY,
    licence_id  INTEGER NOT NULL REFERENCES licences(id),
    code        TEXT    NOT NULL UNIQUE,
    expires_at  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    printed_at  TEXT,
    hall_id     INTEGER
);
CREATE INDEX licence_prints_licence ON licence_prints (licence_id);
