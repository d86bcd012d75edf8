-- Enterprise service (政务服务进企业 / 项目管家, issue 9): enterprises, their investment projects
-- with milestones and the key project's team (handovers kept), and the problems, needs and
-- suggestions collected from them as work items with their trail.
CREATE TABLE enterprises (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL,
    uscc           TEXT    NOT NULL UNIQUE,
    industry       TEXT    NOT NULL,
    size           TEXT    NOT NULL,
    region_id      INTEGER NOT NULL REFERENCES regions(id),
    contact_name   TEXT    NOT NULL,
    contact_phone  TEXT    NOT NULL,
    address        TEXT    NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);
CREATE INDEX enterprises_region ON enterprises (region_id);

CREATE TABLE projects (
    id             INTEGER PRIMARY KEY,
    enterprise_id  INTEGER NOT NULL REFERENCES enterprises(id),
    name           TEXT    NOT NULL,
    amount_fen     INTEGER NOT NULL CHECK (amount_fen > 0),
    stage          TEXT    NOT NULL,
    key_project    BOOLEAN NOT NULL DEFAULT FALSE,
    green_channel  BOOLEAN NOT NULL DEFAULT FALSE,
    milestones     TEXT    NOT NULL DEFAULT '[]',
    steward_id     INTEGER REFERENCES users(id),
    leader_id      INTEGER REFERENCES users(id),
    department_id  INTEGER REFERENCES departments(id),
    members        TEXT    NOT NULL DEFAULT '[]',
    region_id      INTEGER NOT NULL REFERENCES regions(id),
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);
CREATE INDEX projects_enterprise ON projects (enterprise_id);
CREATE INDEX projects_steward ON projects (steward_id);

-- Who served a key project before whom (交接记录).
CREATE TABLE project_handovers (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    role        TEXT    NOT NULL CHECK (role IN ('steward', 'leader', 'department')),
    from_id     INTEGER,
    to_id       INTEGER,
    at          TEXT    NOT NULL,
    actor_name  TEXT    NOT NULL
);
CREATE INDEX project_handovers_of ON project_handovers (project_id);

CREATE TABLE work_items (
    id             INTEGER PRIMARY KEY,
    number         TEXT    NOT NULL UNIQUE,
    enterprise_id  INTEGER NOT NULL REFERENCES enterprises(id),
    project_id     INTEGER REFERENCES projects(id),
    kind           TEXT    NOT NULL,
    title          TEXT    NOT NULL,
    detail         TEXT    NOT NULL DEFAULT '',
    state          TEXT    NOT NULL,
    level          TEXT    NOT NULL DEFAULT 'district',
    department_id  INTEGER REFERENCES departments(id),
    deadline       TEXT,
    resolution     TEXT,
    satisfaction   INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    reopened       INTEGER NOT NULL DEFAULT 0,
    consultations  TEXT    NOT NULL DEFAULT '[]',
    region_id      INTEGER NOT NULL REFERENCES regions(id),
    collected_by   INTEGER REFERENCES users(id),
    created_at     TEXT    NOT NULL,
    closed_at      TEXT,
    updated_at     TEXT    NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX work_items_enterprise ON work_items (enterprise_id);
CREATE INDEX work_items_created ON work_items (created_at);
CREATE INDEX work_items_department ON work_items (department_id, state);

CREATE TABLE work_log (
    id            INTEGER PRIMARY KEY,
    work_item_id  INTEGER NOT NULL REFERENCES work_items(id),
    at            TEXT    NOT NULL,
    action        TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    actor_id      INTEGER REFERENCES users(id),
    actor_name    TEXT    NOT NULL,
    note          TEXT
);
CREATE INDEX work_log_of ON work_log (work_item_id);

-- Visits (上门走访): planned, then done; a mobile team's round groups several under one name.
CREATE TABLE visits (
    id             INTEGER PRIMARY KEY,
    steward_id     INTEGER NOT NULL REFERENCES users(id),
    enterprise_id  INTEGER NOT NULL REFERENCES enterprises(id),
    project_id     INTEGER REFERENCES projects(id),
    round          TEXT,
    planned_on     TEXT NOT NULL,
    done_at        TEXT,
    attendees      TEXT    NOT NULL DEFAULT '',
    notes          TEXT    NOT NULL DEFAULT '',
    region_id      INTEGER NOT NULL REFERENCES regions(id),
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL
);
CREATE INDEX visits_steward ON visits (steward_id, planned_on);
CREATE INDEX visits_enterprise ON visits (enterprise_id);
