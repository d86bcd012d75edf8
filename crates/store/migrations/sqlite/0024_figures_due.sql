-- Issue 26. 办结率 is over the cases due in the period (their promised deadline falls in it), so
-- it is a share: counted on the deadline's day, with whether the case has been concluded.
ALTER TABLE kpi_daily ADD COLUMN due INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kpi_daily ADD COLUMN due_concluded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kpi_monthly ADD COLUMN due INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kpi_monthly ADD COLUMN due_concluded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kpi_daily_by ADD COLUMN due INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kpi_daily_by ADD COLUMN due_concluded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kpi_monthly_by ADD COLUMN due INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kpi_monthly_by ADD COLUMN due_concluded INTEGER NOT NULL DEFAULT 0;

-- Cases concluded after their promised deadline, by (day concluded, deadline): a period counts
-- as carried over (结转办结) those concluded in it that were due before it began. Rows only for
-- late conclusions, by every slice column and per single column, as the other rollups.
CREATE TABLE kpi_carried (
    concluded_on  TEXT    NOT NULL,
    due_on        TEXT    NOT NULL,
    region_id     INTEGER NOT NULL,
    department_id INTEGER NOT NULL,
    matter_id     INTEGER NOT NULL,
    channel       TEXT    NOT NULL,
    window_id     INTEGER NOT NULL,
    clerk_id      INTEGER NOT NULL,
    n             INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (concluded_on, due_on, region_id, department_id, matter_id, channel, window_id, clerk_id)
);
CREATE TABLE kpi_carried_by (
    concluded_on  TEXT    NOT NULL,
    due_on        TEXT    NOT NULL,
    dim           TEXT    NOT NULL,
    key           TEXT    NOT NULL,
    n             INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (dim, key, concluded_on, due_on)
);

-- Counted from the records at the next start.
INSERT INTO settings (key, value, updated_at) VALUES ('figures.rebuild', '"pending"', '2026-12-07T00:00:00Z')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;
