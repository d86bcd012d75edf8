-- Issue 26. 办结率 is over the cases due in the period (their promised deadline falls in it), so
-- it is a share: counted on the deadline's day, with whether the case has been concluded.
ALTER TABLE kpi_daily ADD COLUMN due BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_daily ADD COLUMN due_concluded BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_monthly ADD COLUMN due BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_monthly ADD COLUMN due_concluded BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_daily_by ADD COLUMN due BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_daily_by ADD COLUMN due_concluded BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_monthly_by ADD COLUMN due BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_monthly_by ADD COLUMN due_concluded BIGINT NOT NULL DEFAULT 0;

-- Cases concluded after their promised deadline, by (day concluded, deadline): a period counts
-- as carried over (结转办结) those concluded in it that were due before it began. Rows only for
-- late conclusions, by every slice column and per single column, as the other rollups.
CREATE TABLE kpi_carried (
    concluded_on  DATE    NOT NULL,
    due_on        DATE    NOT NULL,
    region_id     BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    matter_id     BIGINT NOT NULL,
    channel       TEXT    NOT NULL,
    window_id     BIGINT NOT NULL,
    clerk_id      BIGINT NOT NULL,
    n             BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (concluded_on, due_on, region_id, department_id, matter_id, channel, window_id, clerk_id)
);
CREATE TABLE kpi_carried_by (
    concluded_on  DATE    NOT NULL,
    due_on        DATE    NOT NULL,
    dim           TEXT    NOT NULL,
    key           TEXT    NOT NULL,
    n             BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (dim, key, concluded_on, due_on)
);

-- Counted from the records at the next start.
INSERT INTO settings (key, value, updated_at) VALUES ('figures.rebuild', '"pending"', '2026-12-07T00:00:00Z')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;
