-- Marginal rows of the figures' rollups (docs/ARCHITECTURE.md, "Rollups by difference"): the
-- same counters per single slice column, keyed (dim, key), dim one of all, region, department,
-- matter, channel, window, clerk. A month of kpi_monthly holds a row for every combination of
-- all six columns (tens of thousands); a yearly report of the district, or of one department,
-- window or clerk, sums twelve rows of these instead. Kept with every write, recounted by
-- `onewindow supervision rebuild`, seeded here from the rollups themselves.

CREATE TABLE kpi_daily_by (
    day           TEXT    NOT NULL,
    dim           TEXT    NOT NULL,
    key           TEXT    NOT NULL,
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
    PRIMARY KEY (day, dim, key)
);

INSERT INTO kpi_daily_by (day, dim, key, received, online, no_visit, one_visit, accepted, concluded, on_spot, on_time, late, used_days, called, wait_seconds, ratings, rating_sum, satisfied, bad)
SELECT day, 'all', '0', SUM(received), SUM(online), SUM(no_visit), SUM(one_visit), SUM(accepted), SUM(concluded), SUM(on_spot), SUM(on_time), SUM(late), SUM(used_days), SUM(called), SUM(wait_seconds), SUM(ratings), SUM(rating_sum), SUM(satisfied), SUM(bad)
FROM kpi_daily GROUP BY day
UNION ALL SELECT day, 'region', CAST(region_id AS TEXT), SUM(received), SUM(online), SUM(no_visit), SUM(one_visit), SUM(accepted), SUM(concluded), SUM(on_spot), SUM(on_time), SUM(late), SUM(used_days), SUM(called), SUM(wait_seconds), SUM(ratings), SUM(rating_sum), SUM(satisfied), SUM(bad)
FROM kpi_daily GROUP BY day, region_id
UNION ALL SELECT day, 'department', CAST(department_id AS TEXT), SUM(received), SUM(online), SUM(no_visit), SUM(one_visit), SUM(accepted), SUM(concluded), SUM(on_spot), SUM(on_time), SUM(late), SUM(used_days), SUM(called), SUM(wait_seconds), SUM(ratings), SUM(rating_sum), SUM(satisfied), SUM(bad)
FROM kpi_daily GROUP BY day, department_id
UNION ALL SELECT day, 'matter', CAST(matter_id AS TEXT), SUM(received), SUM(online), SUM(no_visit), SUM(one_visit), SUM(accepted), SUM(concluded), SUM(on_spot), SUM(on_time), SUM(late), SUM(used_days), SUM(called), SUM(wait_seconds), SUM(ratings), SUM(rating_sum), SUM(satisfied), SUM(bad)
FROM kpi_daily GROUP BY day, matter_id
UNION ALL SELECT day, 'channel', channel, SUM(received), SUM(online), SUM(no_visit), SUM(one_visit), SUM(accepted), SUM(concluded), SUM(on_spot), SUM(on_time), SUM(late), SUM(used_days), SUM(called), SUM(wait_seconds), SUM(ratings), SUM(rating_sum), SUM(satisfied), SUM(bad)
FROM kpi_daily GROUP BY day, channel
UNION ALL SELECT day, 'window', CAST(window_id AS TEXT), SUM(received), SUM(online), SUM(no_visit), SUM(one_visit), SUM(accepted), SUM(concluded), SUM(on_spot), SUM(on_time), SUM(late), SUM(used_days), SUM(called), SUM(wait_seconds), SUM(ratings), SUM(rating_sum), SUM(satisfied), SUM(bad)
FROM kpi_daily GROUP BY day, window_id
UNION ALL SELECT day, 'clerk', CAST(clerk_id AS TEXT), SUM(received), SUM(online), SUM(no_visit), SUM(one_visit), SUM(accepted), SUM(concluded), SUM(on_spot), SUM(on_time), SUM(late), SUM(used_days), SUM(called), SUM(wait_seconds), SUM(ratings), SUM(rating_sum), SUM(satisfied), SUM(bad)
FROM kpi_daily GROUP BY day, clerk_id;

CREATE TABLE kpi_monthly_by (
    month         TEXT    NOT NULL,
    dim           TEXT    NOT NULL,
    key           TEXT    NOT NULL,
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
    PRIMARY KEY (month, dim, key)
);

INSERT INTO kpi_monthly_by (month, dim, key, received, online, no_visit, one_visit, accepted, concluded, on_spot, on_time, late, used_days, called, wait_seconds, ratings, rating_sum, satisfied, bad)
SELECT month, 'all', '0', SUM(received), SUM(online), SUM(no_visit), SUM(one_visit), SUM(accepted), SUM(concluded), SUM(on_spot), SUM(on_time), SUM(late), SUM(used_days), SUM(called), SUM(wait_seconds), SUM(ratings), SUM(rating_sum), SUM(satisfied), SUM(bad)
FROM kpi_monthly GROUP BY month
UNION ALL SELECT month, 'region', CAST(region_id AS TEXT), SUM(received), SUM(online), SUM(no_visit), SUM(one_visit), SUM(accepted), SUM(concluded), SUM(on_spot), SUM(on_time), SUM(late), SUM(used_days), SUM(called), SUM(wait_seconds), SUM(ratings), SUM(rating_sum), SUM(satisfied), SUM(bad)
FROM kpi_monthly GROUP BY month, region_id
UNION ALL SELECT month, 'department', CAST(department_id AS TEXT), SUM(received), SUM(online), SUM(no_visit), SUM(one_visit), SUM(accepted), SUM(concluded), SUM(on_spot), SUM(on_time), SUM(late), SUM(used_days), SUM(called), SUM(wait_seconds), SUM(ratings), SUM(rating_sum), SUM(satisfied), SUM(bad)
FROM kpi_monthly GROUP BY month, department_id
UNION ALL SELECT month, 'matter', CAST(matter_id AS TEXT), SUM(received), SUM(online), SUM(no_visit), SUM(one_visit), SUM(accepted), SUM(concluded), SUM(on_spot), SUM(on_time), SUM(late), SUM(used_days), SUM(called), SUM(wait_seconds), SUM(ratings), SUM(rating_sum), SUM(satisfied), SUM(bad)
FROM kpi_monthly GROUP BY month, matter_id
UNION ALL SELECT month, 'channel', channel, SUM(received), SUM(online), SUM(no_visit), SUM(one_visit), SUM(accepted), SUM(concluded), SUM(on_spot), SUM(on_time), SUM(late), SUM(used_days), SUM(called), SUM(wait_seconds), SUM(ratings), SUM(rating_sum), SUM(satisfied), SUM(bad)
FROM kpi_monthly GROUP BY month, channel
UNION ALL SELECT month, 'window', CAST(window_id AS TEXT), SUM(received), SUM(online), SUM(no_visit), SUM(one_visit), SUM(accepted), SUM(concluded), SUM(on_spot), SUM(on_time), SUM(late), SUM(used_days), SUM(called), SUM(wait_seconds), SUM(ratings), SUM(rating_sum), SUM(satisfied), SUM(bad)
FROM kpi_monthly GROUP BY month, window_id
UNION ALL SELECT month, 'clerk', CAST(clerk_id AS TEXT), SUM(received), SUM(online), SUM(no_visit), SUM(one_visit), SUM(accepted), SUM(concluded), SUM(on_spot), SUM(on_time), SUM(late), SUM(used_days), SUM(called), SUM(wait_seconds), SUM(ratings), SUM(rating_sum), SUM(satisfied), SUM(bad)
FROM kpi_monthly GROUP BY month, clerk_id;
