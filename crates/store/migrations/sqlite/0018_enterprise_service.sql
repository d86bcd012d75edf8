-- Enterprise service, continued (issue 9): the visit a work item was collected on and when it
-- was last answered (for the monthly figures); visit photos; joint consultations with their
-- follow-ups; policy notices and whom they were pushed to; a project's cases (帮办代办, the
-- green channel); and which enterprise an enterprise account speaks for.
ALTER TABLE work_items ADD COLUMN visit_id INTEGER REFERENCES visits(id);
ALTER TABLE work_items ADD COLUMN answered_at TEXT;
CREATE INDEX work_items_visit ON work_items (visit_id);
CREATE INDEX work_items_closed ON work_items (closed_at);
CREATE INDEX visits_done ON visits (done_at);

CREATE TABLE visit_photos (
    id            INTEGER PRIMARY KEY,
    visit_id      INTEGER NOT NULL REFERENCES visits(id),
    file_name     TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    added_by      INTEGER REFERENCES users(id),
    at            TEXT    NOT NULL
);
CREATE INDEX visit_photos_of ON visit_photos (visit_id);

CREATE TABLE consultations (
    id              INTEGER PRIMARY KEY,
    form            TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    held_on         TEXT    NOT NULL,
    level           TEXT    NOT NULL,
    attendees       TEXT    NOT NULL,
    department_ids  TEXT    NOT NULL,
    decisions       TEXT    NOT NULL,
    follow_ups      TEXT    NOT NULL DEFAULT '[]',
    item_ids        TEXT    NOT NULL DEFAULT '[]',
    region_id       INTEGER NOT NULL REFERENCES regions(id),
    recorded_by     TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX consultations_held ON consultations (held_on);

CREATE TABLE policies (
    id             INTEGER PRIMARY KEY,
    title          TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    department_id  INTEGER NOT NULL REFERENCES departments(id),
    audience       TEXT    NOT NULL,
    until          TEXT,
    region_id      INTEGER NOT NULL REFERENCES regions(id),
    published_at   TEXT    NOT NULL
);

-- 未诉先办: each enterprise a notice was sent to, and when it opened it.
CREATE TABLE policy_pushes (
    policy_id      INTEGER NOT NULL REFERENCES policies(id),
    enterprise_id  INTEGER NOT NULL REFERENCES enterprises(id),
    pushed_at      TEXT    NOT NULL,
    read_at        TEXT,
    PRIMARY KEY (policy_id, enterprise_id)
);
CREATE INDEX policy_pushes_enterprise ON policy_pushes (enterprise_id);

-- 全流程帮办代办: the cases of a project's approvals. A case belongs to one project at most.
CREATE TABLE project_cases (
    case_id     INTEGER PRIMARY KEY REFERENCES cases(id),
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    linked_at   TEXT    NOT NULL,
    actor_name  TEXT    NOT NULL
);
CREATE INDEX project_cases_project ON project_cases (project_id);

CREATE TABLE enterprise_accounts (
    user_id        INTEGER PRIMARY KEY REFERENCES users(id),
    enterprise_id  INTEGER NOT NULL REFERENCES enterprises(id)
);
