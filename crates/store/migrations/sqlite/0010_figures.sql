-- The figures (统计分析, docs/KPIS.md): what each case, called ticket and rating contributed, summed
-- per day and per month and per slice, kept with every write. A period's figures are a sum of a
-- few rows of these, never a scan of history. `onewindow supervision rebuild` recounts them.
ALTER TABLE cases ADD COLUMN used_days INTEGER;

CREATE TABLE kpi_daily (
    day           TEXT    NOT NULL,
    region_id     INTEGER NOT NULL,
    department_id INTEGER NOT NULL,
    matter_id     INTEGER NOT NULL,
    channel       TEXT    NOT NULL,
    window_id     INTEGER NOT NULL,
    clerk_id      INTEGER NOT NULL,
    received      INTEGER NOT NULL DEFAULT 0,
    online        INTEGER NOT NULL DEFAULT 0,
    no_visit      INTEGER NOT NULL DEFAULT 0,
    one_visit     INTEGER NOT NULL DEFAULT 0,
    accepted      INTEGER NOT NULL DEFAULT 0,
    concluded     INTEGER NOT NULL DEFAULT 0,
    on_spot       INTEGER NOT NULL DEFAULT 0,
    on_time       INTEGER NOT NULL DEFAULT 0,
    late          INTEGER NOT NULL DEFAULT 0,
    used_days     INTEGER NOT NULL DEFAULT 0,
    called        INTEGER NOT NULL DEFAULT 0,
    wait_seconds  INTEGER NOT NULL DEFAULT 0,
    ratings       INTEGER NOT NULL DEFAULT 0,
    rating_sum    INTEGER NOT NULL DEFAULT 0,
    satisfied     INTEGER NOT NULL DEFAULT 0,
    bad           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, region_id, department_id, matter_id, channel, window_id, clerk_id)
);

-- The same by month (the first day of the month): a year is twelve months of rows.
CREATE TABLE kpi_monthly (
    month         TEXT    NOT NULL,
    region_id     INTEGER NOT NULL,
    department_id INTEGER NOT NULL,
    matter_id     INTEGER NOT NULL,
    channel       TEXT    NOT NULL,
    window_id     INTEGER NOT NULL,
    clerk_id      INTEGER NOT NULL,
    received      INTEGER NOT NULL DEFAULT 0,
    online        INTEGER NOT NULL DEFAULT 0,
    no_visit      INTEGER NOT NULL DEFAULT 0,
    one_visit     INTEGER NOT NULL DEFAULT 0,
    accepted      INTEGER NOT NULL DEFAULT 0,
    concluded     INTEGER NOT NULL DEFAULT 0,
    on_spot       INTEGER NOT NULL DEFAULT 0,
    on_time       INTEGER NOT NULL DEFAULT 0,
    late          INTEGER NOT NULL DEFAULT 0,
    used_days     INTEGER NOT NULL DEFAULT 0,
    called        INTEGER NOT NULL DEFAULT 0,
    wait_seconds  INTEGER NOT NULL DEFAULT 0,
    ratings       INTEGER NOT NULL DEFAULT 0,
    rating_sum    INTEGER NOT NULL DEFAULT 0,
    satisfied     INTEGER NOT NULL DEFAULT 0,
    bad           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, region_id, department_id, matter_id, channel, window_id, clerk_id)
);

-- Data written before this migration is counted by the first rebuild (a serving instance runs
-- it at start while this marker is there).
INSERT INTO settings (key, value, updated_at) VALUES ('figures.rebuild', '"pending"', '2026-11-30T00:00:00Z');
