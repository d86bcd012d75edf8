-- Service evaluation (好差评, issue 7): ratings of every kind and channel with their sub-scores,
-- the rater kept apart from the rating, one-time rating links, bad-rating rectification with its
-- trail, and appeals.
ALTER TABLE ratings ADD COLUMN kind TEXT NOT NULL DEFAULT 'service';
ALTER TABLE ratings ADD COLUMN department_id INTEGER REFERENCES departments(id);
ALTER TABLE ratings ADD COLUMN region_id INTEGER REFERENCES regions(id);
ALTER TABLE ratings ADD COLUMN scores TEXT NOT NULL DEFAULT '{}';
ALTER TABLE ratings ADD COLUMN comment TEXT;
-- Set only for a case's online rating (一事一评), so that a case is rated online once.
ALTER TABLE ratings ADD COLUMN online_case_id INTEGER REFERENCES cases(id);
-- False once an appeal against the rating is upheld: out of the figures, still in the trail.
ALTER TABLE ratings ADD COLUMN counted BOOLEAN NOT NULL DEFAULT TRUE;
CREATE UNIQUE INDEX ratings_online_case ON ratings (online_case_id);
CREATE INDEX ratings_case ON ratings (case_id);
CREATE INDEX ratings_department ON ratings (department_id, created_at);
CREATE INDEX ratings_matter ON ratings (matter_id, created_at);
CREATE INDEX ratings_hall ON ratings (hall_id, created_at);
UPDATE ratings SET
    department_id = (SELECT c.department_id FROM cases c WHERE c.id = ratings.case_id),
    region_id = (SELECT h.region_id FROM halls h WHERE h.id = ratings.hall_id);

-- Who rated: for the call-back only, never shown to the rated clerk.
CREATE TABLE rating_raters (
    rating_id INTEGER PRIMARY KEY REFERENCES ratings(id),
    user_id   INTEGER REFERENCES users(id),
    name      TEXT,
    phone     TEXT,
    email     TEXT
);

-- Links sent by SMS or e-mail: the token's SHA-256, never the token; used once, then spent.
CREATE TABLE rating_links (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT    NOT NULL UNIQUE,
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    channel    TEXT    NOT NULL,
    sent_to    TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_at    TEXT
);
CREATE INDEX rating_links_case ON rating_links (case_id);

-- One per bad rating: verify, rectify or explain, call back, re-evaluate (差评整改).
CREATE TABLE rectifications (
    id                INTEGER PRIMARY KEY,
    rating_id         INTEGER NOT NULL UNIQUE REFERENCES ratings(id),
    department_id     INTEGER REFERENCES departments(id),
    region_id         INTEGER NOT NULL REFERENCES regions(id),
    clerk_id          INTEGER REFERENCES users(id),
    matter_id         INTEGER REFERENCES matters(id),
    state             TEXT    NOT NULL,
    founded           BOOLEAN,
    finding           TEXT,
    measures          TEXT,
    explanation       TEXT,
    callback_attempts INTEGER NOT NULL DEFAULT 0,
    callback_note     TEXT,
    re_level          INTEGER CHECK (re_level BETWEEN 1 AND 5),
    re_comment        TEXT,
    outcome           TEXT,
    opened_at         TEXT    NOT NULL,
    due_on            TEXT    NOT NULL,
    yellow_on         TEXT    NOT NULL,
    red_on            TEXT    NOT NULL,
    closed_at         TEXT,
    -- Urged by a supervisor (督办), and how far the warning job has warned: 1 at yellow, 2 at red.
    urge_count        INTEGER NOT NULL DEFAULT 0,
    warned            INTEGER NOT NULL DEFAULT 0,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX rectifications_department ON rectifications (department_id, state);
CREATE INDEX rectifications_region ON rectifications (region_id, state);
CREATE INDEX rectifications_open ON rectifications (red_on) WHERE state <> 'closed';

CREATE TABLE rectification_log (
    id                INTEGER PRIMARY KEY,
    rectification_id  INTEGER NOT NULL REFERENCES rectifications(id),
    at                TEXT    NOT NULL,
    action            TEXT    NOT NULL,
    state             TEXT    NOT NULL,
    actor_id          INTEGER REFERENCES users(id),
    actor_name        TEXT    NOT NULL,
    note              TEXT
);
CREATE INDEX rectification_log_of ON rectification_log (rectification_id);

-- A clerk's appeal against a rating (申诉复核), decided by a supervisor. One per rating.
CREATE TABLE rating_appeals (
    id               INTEGER PRIMARY KEY,
    rating_id        INTEGER NOT NULL UNIQUE REFERENCES ratings(id),
    department_id    INTEGER REFERENCES departments(id),
    region_id        INTEGER NOT NULL REFERENCES regions(id),
    state            TEXT    NOT NULL,
    reason           TEXT    NOT NULL,
    appealed_by      INTEGER REFERENCES users(id),
    appealed_by_name TEXT    NOT NULL,
    appealed_at      TEXT    NOT NULL,
    note             TEXT,
    decided_by       INTEGER REFERENCES users(id),
    decided_by_name  TEXT,
    decided_at       TEXT,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX rating_appeals_state ON rating_appeals (state, region_id);

-- Complaints (投诉) from the hotline, the web, letters and visits: accepted or not by a day,
-- handled by a department by a day, answered, closed with the complainant's satisfaction.
CREATE TABLE complaints (
    id                 INTEGER PRIMARY KEY,
    number             TEXT    NOT NULL UNIQUE,
    source             TEXT    NOT NULL,
    complainant_name   TEXT    NOT NULL,
    complainant_phone  TEXT    NOT NULL,
    complainant_id     INTEGER REFERENCES users(id),
    department_id      INTEGER REFERENCES departments(id),
    region_id          INTEGER NOT NULL REFERENCES regions(id),
    case_id            INTEGER REFERENCES cases(id),
    subject            TEXT    NOT NULL,
    content            TEXT    NOT NULL,
    state              TEXT    NOT NULL,
    refusal            TEXT,
    reply              TEXT,
    satisfaction       INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    close_note         TEXT,
    received_at        TEXT NOT NULL,
    accept_due         TEXT NOT NULL,
    accepted_at        TEXT,
    answer_due         TEXT,
    answered_at        TEXT,
    closed_at          TEXT,
    version            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX complaints_department ON complaints (department_id, state);
CREATE INDEX complaints_received ON complaints (received_at);

CREATE TABLE complaint_log (
    id            INTEGER PRIMARY KEY,
    complaint_id  INTEGER NOT NULL REFERENCES complaints(id),
    at            TEXT NOT NULL,
    action        TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    actor_id      INTEGER REFERENCES users(id),
    actor_name    TEXT    NOT NULL,
    note          TEXT
);
CREATE INDEX complaint_log_of ON complaint_log (complaint_id);

-- Enterprise supervisors (监督员) with their contact points, and their reports followed to what
-- came of each.
CREATE TABLE supervisors (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    phone         TEXT    NOT NULL,
    enterprise    TEXT    NOT NULL,
    uscc          TEXT,
    department_id INTEGER REFERENCES departments(id),
    hall_id       INTEGER REFERENCES halls(id),
    region_id     INTEGER NOT NULL REFERENCES regions(id),
    user_id       INTEGER UNIQUE REFERENCES users(id),
    appointed_on  TEXT NOT NULL,
    term_until    TEXT,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);
CREATE INDEX supervisors_region ON supervisors (region_id);

CREATE TABLE supervisor_reports (
    id             INTEGER PRIMARY KEY,
    supervisor_id  INTEGER NOT NULL REFERENCES supervisors(id),
    region_id      INTEGER NOT NULL REFERENCES regions(id),
    kind           TEXT    NOT NULL,
    visited_on     TEXT NOT NULL,
    place          TEXT    NOT NULL,
    department_id  INTEGER REFERENCES departments(id),
    findings       TEXT    NOT NULL,
    suggestions    TEXT,
    state          TEXT    NOT NULL,
    referred_to    INTEGER REFERENCES departments(id),
    outcome        TEXT,
    recorded_by    INTEGER REFERENCES users(id),
    recorded_at    TEXT NOT NULL,
    closed_at      TEXT,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX supervisor_reports_of ON supervisor_reports (supervisor_id);
CREATE INDEX supervisor_reports_state ON supervisor_reports (state, region_id);
