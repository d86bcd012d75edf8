-- The figures (统计分析, docs/KPIS.md): what each case, called ticket and rating contributed, summed
-- per day and per month and per slice, kept with every write. A period's figures are a sum of a
-- few rows of these, never a scan of history. `onewindow supervision rebuild` recounts them.
ALTER TABLE cases ADD COLUMN used_days BIGINT;

CREATE TABLE kpi_daily (
    day           DATE    NOT NULL,
    region_id     BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    matter_id     BIGINT NOT NULL,
    channel       TEXT    NOT NULL,
    window_id     BIGINT NOT NULL,
    clerk_id      BIGINT NOT NULL,
    received      BIGINT NOT NULL DEFAULT 0,
    online        BIGINT NOT NULL DEFAULT 0,
    no_visit      BIGINT NOT NULL DEFAULT 0,
    one_visit     BIGINT NOT NULL DEFAULT 0,
    accepted      BIGINT NOT NULL DEFAULT 0,
    concluded     BIGINT NOT NULL DEFAULT 0,
    on_spot       BIGINT NOT NULL DEFAULT 0,
    on_time       BIGINT NOT NULL DEFAULT 0,
    late          BIGINT NOT NULL DEFAULT 0,
    used_days     BIGINT NOT NULL DEFAULT 0,
    called        BIGINT NOT NULL DEFAULT 0,
    wait_seconds  BIGINT NOT NULL DEFAULT 0,
    ratings       BIGINT NOT NULL DEFAULT 0,
    rating_sum    BIGINT NOT NULL DEFAULT 0,
    satisfied     BIGINT NOT NULL DEFAULT 0,
    bad           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, region_id, department_id, matter_id, channel, window_id, clerk_id)
);

-- The same by month (the first day of the month): a year is twelve months of rows.
CREATE TABLE kpi_monthly (
    month         DATE    NOT NULL,
    region_id     BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    matter_id     BIGINT NOT NULL,
    channel       TEXT    NOT NULL,
    window_id     BIGINT NOT NULL,
    clerk_id      BIGINT NOT NULL,
    received      BIGINT NOT NULL DEFAULT 0,
    online        BIGINT NOT NULL DEFAULT 0,
    no_visit      BIGINT NOT NULL DEFAULT 0,
    one_visit     BIGINT NOT NULL DEFAULT 0,
    accepted      BIGINT NOT NULL DEFAULT 0,
    concluded     BIGINT NOT NULL DEFAULT 0,
    on_spot       BIGINT NOT NULL DEFAULT 0,
    on_time       BIGINT NOT NULL DEFAULT 0,
    late          BIGINT NOT NULL DEFAULT 0,
    used_days     BIGINT NOT NULL DEFAULT 0,
    called        BIGINT NOT NULL DEFAULT 0,
    wait_seconds  BIGINT NOT NULL DEFAULT 0,
    ratings       BIGINT NOT NULL DEFAULT 0,
    rating_sum    BIGINT NOT NULL DEFAULT 0,
    satisfied     BIGINT NOT NULL DEFAULT 0,
    bad           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, region_id, department_id, matter_id, channel, window_id, clerk_id)
);

-- Data written before this migration is counted by the first rebuild (a serving instance runs
-- it at start while this marker is there).
INSERT INTO settings (key, value, updated_at) VALUES ('figures.rebuild', '"pending"', '2026-11-30T00:00:00Z');
