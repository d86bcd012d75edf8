-- Lights by slice column, for any day, from a few hundred rows (docs/ARCHITECTURE.md, "Lights
-- as dates"): the running clocks per slice column and the days they turn yellow and red, and the
-- cases with a late review step per slice column and the day it turned late. One column's light
-- counts on a day are then sums of its rows (yellow: yellow_on <= day, red: red_on <= day)
-- instead of a pass over every yellow and red case's index entry. They replace sv_running_by
-- (the same without the days). Kept with every case write, recounted by
-- `onewindow supervision rebuild`.
DROP TABLE sv_running_by;

CREATE TABLE sv_lights_by (
    dim       TEXT    NOT NULL,
    key       TEXT    NOT NULL,
    yellow_on TEXT    NOT NULL,
    red_on    TEXT    NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (dim, key, yellow_on, red_on)
);
INSERT INTO sv_lights_by (dim, key, yellow_on, red_on, n)
SELECT 'all' AS dim, '0' AS key, COALESCE(yellow_on, red_on) AS yellow_on, red_on AS red_on, COUNT(*) AS n FROM cases WHERE red_on IS NOT NULL GROUP BY 2, 3, 4
UNION ALL SELECT 'region' AS dim, CAST(region_id AS TEXT) AS key, COALESCE(yellow_on, red_on) AS yellow_on, red_on AS red_on, COUNT(*) AS n FROM cases WHERE red_on IS NOT NULL GROUP BY 2, 3, 4
UNION ALL SELECT 'department' AS dim, CAST(department_id AS TEXT) AS key, COALESCE(yellow_on, red_on) AS yellow_on, red_on AS red_on, COUNT(*) AS n FROM cases WHERE red_on IS NOT NULL GROUP BY 2, 3, 4
UNION ALL SELECT 'matter' AS dim, CAST(matter_id AS TEXT) AS key, COALESCE(yellow_on, red_on) AS yellow_on, red_on AS red_on, COUNT(*) AS n FROM cases WHERE red_on IS NOT NULL GROUP BY 2, 3, 4
UNION ALL SELECT 'channel' AS dim, channel AS key, COALESCE(yellow_on, red_on) AS yellow_on, red_on AS red_on, COUNT(*) AS n FROM cases WHERE red_on IS NOT NULL GROUP BY 2, 3, 4
UNION ALL SELECT 'window' AS dim, CAST(COALESCE(window_id, 0) AS TEXT) AS key, COALESCE(yellow_on, red_on) AS yellow_on, red_on AS red_on, COUNT(*) AS n FROM cases WHERE red_on IS NOT NULL GROUP BY 2, 3, 4
UNION ALL SELECT 'clerk' AS dim, CAST(COALESCE(clerk_id, 0) AS TEXT) AS key, COALESCE(yellow_on, red_on) AS yellow_on, red_on AS red_on, COUNT(*) AS n FROM cases WHERE red_on IS NOT NULL GROUP BY 2, 3, 4;

CREATE TABLE sv_step_red_by (
    dim         TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    step_red_on TEXT    NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (dim, key, step_red_on)
);
INSERT INTO sv_step_red_by (dim, key, step_red_on, n)
SELECT 'all' AS dim, '0' AS key, step_red_on AS step_red_on, COUNT(*) AS n FROM cases WHERE step_red_on IS NOT NULL GROUP BY 2, 3
UNION ALL SELECT 'region' AS dim, CAST(region_id AS TEXT) AS key, step_red_on AS step_red_on, COUNT(*) AS n FROM cases WHERE step_red_on IS NOT NULL GROUP BY 2, 3
UNION ALL SELECT 'department' AS dim, CAST(department_id AS TEXT) AS key, step_red_on AS step_red_on, COUNT(*) AS n FROM cases WHERE step_red_on IS NOT NULL GROUP BY 2, 3
UNION ALL SELECT 'matter' AS dim, CAST(matter_id AS TEXT) AS key, step_red_on AS step_red_on, COUNT(*) AS n FROM cases WHERE step_red_on IS NOT NULL GROUP BY 2, 3
UNION ALL SELECT 'channel' AS dim, channel AS key, step_red_on AS step_red_on, COUNT(*) AS n FROM cases WHERE step_red_on IS NOT NULL GROUP BY 2, 3
UNION ALL SELECT 'window' AS dim, CAST(COALESCE(window_id, 0) AS TEXT) AS key, step_red_on AS step_red_on, COUNT(*) AS n FROM cases WHERE step_red_on IS NOT NULL GROUP BY 2, 3
UNION ALL SELECT 'clerk' AS dim, CAST(COALESCE(clerk_id, 0) AS TEXT) AS key, step_red_on AS step_red_on, COUNT(*) AS n FROM cases WHERE step_red_on IS NOT NULL GROUP BY 2, 3;

-- Lists of a light walk its index in their order (the day, then the id) and stop at the page's
-- end, checking the slice columns in the index on the way, instead of sorting every case of the
-- light that matches.
DROP INDEX cases_red_slice;
DROP INDEX cases_yellow_slice;
DROP INDEX cases_step_red_slice;
CREATE INDEX cases_red_slice ON cases (red_on, id, yellow_on, department_id, region_id, matter_id, channel, window_id, clerk_id)
    WHERE red_on IS NOT NULL;
CREATE INDEX cases_yellow_slice ON cases (yellow_on, id, red_on, department_id, region_id, matter_id, channel, window_id, clerk_id)
    WHERE yellow_on IS NOT NULL;
CREATE INDEX cases_step_red_slice ON cases (step_red_on, id, department_id, region_id, matter_id, channel, window_id, clerk_id)
    WHERE step_red_on IS NOT NULL;
