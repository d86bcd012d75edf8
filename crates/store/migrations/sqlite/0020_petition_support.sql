-- Petition agency, continued (issue 10): the guarantor's meetings on a case, the leaders'
-- receptions tied to cases, and hardship aid and legal-aid referrals.
CREATE TABLE petition_meetings (
    id           INTEGER PRIMARY KEY,
    petition_id  INTEGER NOT NULL REFERENCES petitions(id),
    held_on      TEXT    NOT NULL,
    attendees    TEXT    NOT NULL,
    notes        TEXT    NOT NULL,
    created_at   TEXT    NOT NULL
);
CREATE INDEX petition_meetings_of ON petition_meetings (petition_id);

CREATE TABLE receptions (
    id           INTEGER PRIMARY KEY,
    day          TEXT    NOT NULL,
    leader_id    INTEGER NOT NULL REFERENCES users(id),
    visitor      TEXT    NOT NULL,
    matter       TEXT    NOT NULL,
    petition_id  INTEGER REFERENCES petitions(id),
    notes        TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL
);
CREATE INDEX receptions_day ON receptions (day);

CREATE TABLE petition_aid (
    id           INTEGER PRIMARY KEY,
    petition_id  INTEGER NOT NULL REFERENCES petitions(id),
    kind         TEXT    NOT NULL CHECK (kind IN ('hardship', 'legal')),
    amount_fen   INTEGER NOT NULL DEFAULT 0,
    decided_on   TEXT    NOT NULL,
    outcome      TEXT    NOT NULL,
    created_at   TEXT    NOT NULL
);
CREATE INDEX petition_aid_of ON petition_aid (petition_id);
