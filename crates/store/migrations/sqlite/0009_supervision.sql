-- Electronic supervision (电子监察).
--
-- Who took a case in and at which window, for lists, counts and figures by clerk and window; and
-- the first day one of its active review steps is over its own limit (a step can be late while
-- the whole case is on time).
ALTER TABLE cases ADD COLUMN clerk_id INTEGER REFERENCES users(id);
ALTER TABLE cases ADD COLUMN window_id INTEGER REFERENCES windows(id);
ALTER TABLE cases ADD COLUMN step_red_on TEXT;

-- Yellow and red cases are few: counting and listing them reads only their part of these
-- indexes, which carry every slice column so that no case row is visited for a count (the
-- yellow one also the red day: one pass counts both). The wall counts per window through the
-- last one.
DROP INDEX cases_red_on;
DROP INDEX cases_yellow_on;
CREATE INDEX cases_red_slice ON cases (red_on, department_id, region_id, matter_id, channel, window_id, clerk_id)
    WHERE red_on IS NOT NULL;
CREATE INDEX cases_yellow_slice ON cases (yellow_on, red_on, department_id, region_id, matter_id, channel, window_id, clerk_id)
    WHERE yellow_on IS NOT NULL;
CREATE INDEX cases_window_lights ON cases (window_id, yellow_on, red_on)
    WHERE window_id IS NOT NULL AND yellow_on IS NOT NULL;
CREATE INDEX cases_step_red_slice ON cases (step_red_on, department_id, region_id, matter_id, channel, window_id, clerk_id)
    WHERE step_red_on IS NOT NULL;

-- Running clocks by slice (green = running − yellow − red), kept with every case write so that
-- a count never scans the open cases. 0 stands for "no window" and "no clerk".
CREATE TABLE sv_running (
    department_id INTEGER NOT NULL,
    region_id     INTEGER NOT NULL,
    matter_id     INTEGER NOT NULL,
    channel       TEXT    NOT NULL,
    window_id     INTEGER NOT NULL,
    clerk_id      INTEGER NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (department_id, region_id, matter_id, channel, window_id, clerk_id)
);
INSERT INTO sv_running
SELECT department_id, region_id, matter_id, channel, COALESCE(window_id, 0), COALESCE(clerk_id, 0), COUNT(*)
FROM cases WHERE red_on IS NOT NULL
GROUP BY department_id, region_id, matter_id, channel, COALESCE(window_id, 0), COALESCE(clerk_id, 0);

-- The same by one slice column at a time ('all', 'region', 'department', 'matter', 'channel',
-- 'window', 'clerk'; the value as text): a slice of one column, or none, reads one row, or
-- a region's few, however many combinations the table above holds.
CREATE TABLE sv_running_by (
    dim TEXT    NOT NULL,
    key TEXT    NOT NULL,
    n   INTEGER NOT NULL,
    PRIMARY KEY (dim, key)
);
INSERT INTO sv_running_by (dim, key, n)
SELECT 'all' AS dim, '0' AS key, COUNT(*) AS n FROM cases WHERE red_on IS NOT NULL
UNION ALL SELECT 'region', CAST(region_id AS TEXT), COUNT(*) FROM cases WHERE red_on IS NOT NULL GROUP BY region_id
UNION ALL SELECT 'department', CAST(department_id AS TEXT), COUNT(*) FROM cases WHERE red_on IS NOT NULL GROUP BY department_id
UNION ALL SELECT 'matter', CAST(matter_id AS TEXT), COUNT(*) FROM cases WHERE red_on IS NOT NULL GROUP BY matter_id
UNION ALL SELECT 'channel', channel, COUNT(*) FROM cases WHERE red_on IS NOT NULL GROUP BY channel
UNION ALL SELECT 'window', CAST(COALESCE(window_id, 0) AS TEXT), COUNT(*) FROM cases WHERE red_on IS NOT NULL GROUP BY COALESCE(window_id, 0)
UNION ALL SELECT 'clerk', CAST(COALESCE(clerk_id, 0) AS TEXT), COUNT(*) FROM cases WHERE red_on IS NOT NULL GROUP BY COALESCE(clerk_id, 0);

-- Urging (督办): a supervisor's (or the warning job's) bell on a case or one of its steps,
-- addressed to the person responsible (or, when nobody is yet, to the department), open until
-- acknowledged with a response; unanswered it climbs reminder → yellow card → red card.
CREATE TABLE urges (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES cases(id),
    step_id         INTEGER REFERENCES case_steps(id),
    department_id   INTEGER NOT NULL REFERENCES departments(id),
    region_id       INTEGER NOT NULL REFERENCES regions(id),
    target_user_id  INTEGER REFERENCES users(id),
    origin          TEXT    NOT NULL,
    level           TEXT    NOT NULL,
    message         TEXT    NOT NULL,
    respond_by      TEXT,
    escalate_on     TEXT,
    rectification   TEXT,
    state           TEXT    NOT NULL,
    issued_by       INTEGER REFERENCES users(id),
    issued_by_name  TEXT    NOT NULL,
    issued_at       TEXT    NOT NULL,
    response        TEXT,
    answered_by     INTEGER REFERENCES users(id),
    answered_by_name TEXT,
    answered_at     TEXT,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX urges_case ON urges (case_id);
CREATE INDEX urges_target ON urges (target_user_id, state);
CREATE INDEX urges_department ON urges (department_id, state);
CREATE INDEX urges_escalate ON urges (escalate_on) WHERE state = 'open';

-- Each urge's steps: issued, escalated, answered (who, when, what).
CREATE TABLE urge_log (
    id        INTEGER PRIMARY KEY,
    urge_id   INTEGER NOT NULL REFERENCES urges(id),
    at        TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    level     TEXT    NOT NULL,
    actor_id  INTEGER REFERENCES users(id),
    actor_name TEXT   NOT NULL,
    note      TEXT
);
CREATE INDEX urge_log_urge ON urge_log (urge_id);

-- The warning job's claims: one row per case, kind (yellow, red, step_red) and the day that
-- light came on. Its key makes each warning happen once, whichever instance gets there first
-- and however often the job restarts.
CREATE TABLE sv_warnings (
    case_id  INTEGER NOT NULL REFERENCES cases(id),
    kind     TEXT    NOT NULL,
    light_on TEXT    NOT NULL,
    urge_id  INTEGER REFERENCES urges(id),
    at       TEXT    NOT NULL,
    PRIMARY KEY (case_id, kind, light_on)
);

-- Cases written before their light days were kept get them once, at the next start.
INSERT INTO settings (key, value, updated_at) VALUES ('cases.relight', '"pending"', '2026-11-30T00:00:00Z');
