-- Landmarks (地标): the places people name a spot by, points in micro-degrees (WGS 84). A
-- reported point is named by its grid and the nearest of them. Replaced whole by an import.
CREATE TABLE landmarks (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    kind        TEXT,
    lon_e6      INTEGER NOT NULL,
    lat_e6      INTEGER NOT NULL,
    created_at  TEXT    NOT NULL
);
