-- Cases (办件): applications, their review steps, clock pauses, supplement notices, history,
-- uploaded files; bundles (一件事) and batches; per-matter review flows; numbering counters; the
-- notification outbox.

CREATE TABLE matter_workflows (
    matter_id  INTEGER PRIMARY KEY REFERENCES matters(id),
    workflow   TEXT   NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);

-- Sequences per kind (and department) per day, for readable numbers.
CREATE TABLE counters (
    key  TEXT   NOT NULL,
    day  TEXT   NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (key, day)
);

CREATE TABLE case_bundles (
    id           INTEGER PRIMARY KEY,
    number       TEXT   NOT NULL UNIQUE,
    topic_id     INTEGER NOT NULL REFERENCES topics(id),
    topic_name   TEXT   NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_id_number TEXT NOT NULL,
    created_by   INTEGER REFERENCES users(id),
    created_at   TEXT NOT NULL,
    concluded_at TEXT
);

CREATE TABLE case_batches (
    id         INTEGER PRIMARY KEY,
    number     TEXT   NOT NULL UNIQUE,
    matter_id  INTEGER NOT NULL REFERENCES matters(id),
    title      TEXT   NOT NULL,
    size       INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);

CREATE TABLE cases (
    id                  INTEGER PRIMARY KEY,
    number              TEXT    NOT NULL UNIQUE,
    matter_id           INTEGER  NOT NULL REFERENCES matters(id),
    matter_code         TEXT    NOT NULL,
    matter_name         TEXT    NOT NULL,
    guide_version_id    INTEGER  NOT NULL REFERENCES guide_versions(id),
    department_id       INTEGER  NOT NULL REFERENCES departments(id),
    region_id           INTEGER  NOT NULL REFERENCES regions(id),
    state               TEXT    NOT NULL,
    channel             TEXT    NOT NULL,
    applicant_kind      TEXT    NOT NULL,
    applicant_name      TEXT    NOT NULL,
    applicant_id_number TEXT    NOT NULL,
    applicant_phone     TEXT    NOT NULL,
    applicant_email     TEXT,
    applicant_address   TEXT,
    needs_home_service  BOOLEAN NOT NULL,
    applicant_user_id   INTEGER  REFERENCES users(id),
    agency              TEXT,
    agent_user_id       INTEGER  REFERENCES users(id),
    materials           TEXT    NOT NULL,
    note                TEXT,
    delivery            TEXT    NOT NULL,
    delivery_address    TEXT,
    bundle_id           INTEGER  REFERENCES case_bundles(id),
    batch_id            INTEGER  REFERENCES case_batches(id),
    submitted_at        TEXT NOT NULL,
    received_on         TEXT    NOT NULL,
    completeness_due    TEXT,
    accepted_at         TEXT,
    accepted_on         TEXT,
    deemed_accepted     BOOLEAN NOT NULL,
    statutory_days      INTEGER  NOT NULL,
    promised_days       INTEGER  NOT NULL,
    delivery_days       INTEGER  NOT NULL,
    joint               BOOLEAN NOT NULL,
    extension           TEXT,
    paused_days         INTEGER  NOT NULL,
    paused_since        TEXT,
    statutory_due       TEXT,
    promised_due        TEXT,
    decision            TEXT,
    decision_reason     TEXT,
    decided_at          TEXT,
    decided_on          TEXT,
    delivery_due        TEXT,
    concluded_at        TEXT,
    concluded_on        TEXT,
    delivered_at        TEXT,
    tracking_number     TEXT,
    delivery_note       TEXT,
    closing_reason      TEXT,
    version             INTEGER  NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX cases_department_state ON cases(department_id, state);
CREATE INDEX cases_state_completeness ON cases(state, completeness_due);
CREATE INDEX cases_applicant_user ON cases(applicant_user_id);
CREATE INDEX cases_agent_user ON cases(agent_user_id);
CREATE INDEX cases_bundle ON cases(bundle_id);
CREATE INDEX cases_batch ON cases(batch_id);
CREATE INDEX cases_submitted ON cases(submitted_at);

CREATE TABLE case_steps (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    stage         INTEGER NOT NULL,
    name          TEXT   NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    role          TEXT   NOT NULL,
    days          INTEGER NOT NULL,
    state         TEXT   NOT NULL,
    assignee_id   INTEGER REFERENCES users(id),
    assignee_name TEXT,
    started_on    TEXT,
    due           TEXT,
    finished_at   TEXT,
    finished_on   TEXT,
    outcome       TEXT,
    opinion       TEXT
);
CREATE INDEX case_steps_case ON case_steps(case_id);
CREATE INDEX case_steps_queue ON case_steps(department_id, state);
CREATE INDEX case_steps_assignee ON case_steps(assignee_id, state);

CREATE TABLE case_pauses (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    procedure     TEXT   NOT NULL,
    reason        TEXT   NOT NULL,
    expected_days INTEGER NOT NULL,
    started_on    TEXT   NOT NULL,
    started_at    TEXT NOT NULL,
    ended_on      TEXT,
    ended_at      TEXT,
    workdays      INTEGER,
    result        TEXT
);
CREATE INDEX case_pauses_case ON case_pauses(case_id);

CREATE TABLE case_supplements (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    items        TEXT   NOT NULL,
    requested_at TEXT NOT NULL,
    requested_by TEXT   NOT NULL,
    completed_at TEXT,
    completed_on TEXT
);
CREATE INDEX case_supplements_case ON case_supplements(case_id);

-- The case's history as applicant and staff read it (the audit trail keeps the same actions,
-- chained, for the auditors).
CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    at          TEXT NOT NULL,
    action      TEXT   NOT NULL,
    actor_id    INTEGER REFERENCES users(id),
    actor_name  TEXT   NOT NULL,
    state_after TEXT   NOT NULL,
    note        TEXT
);
CREATE INDEX case_events_case ON case_events(case_id);

-- Uploaded files live on disk, named by their SHA-256, outside the web root; a case or a bundle
-- owns them.
CREATE TABLE case_files (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER REFERENCES cases(id),
    bundle_id    INTEGER REFERENCES case_bundles(id),
    material     TEXT   NOT NULL,
    file_name    TEXT   NOT NULL,
    content_type TEXT   NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT   NOT NULL,
    uploaded_by  INTEGER REFERENCES users(id),
    uploaded_at  TEXT NOT NULL
);
CREATE INDEX case_files_case ON case_files(case_id);
CREATE INDEX case_files_bundle ON case_files(bundle_id);

-- Messages written in the same transaction as what caused them, sent afterwards with retries.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER REFERENCES cases(id),
    channel    TEXT   NOT NULL,
    recipient  TEXT   NOT NULL,
    subject    TEXT   NOT NULL,
    body       TEXT   NOT NULL,
    status     TEXT   NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at    TEXT
);
CREATE INDEX outbox_due ON outbox(status, next_at);
CREATE INDEX outbox_case ON outbox(case_id);
