-- The working-day calendar: one row per year that has an arrangement, and its special days.
-- Built-in years (2004–2026) are loaded at migration time; administrators add later years.

CREATE TABLE calendar_years (
    year       INTEGER PRIMARY KEY,
    source     TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE calendar_days (
    date TEXT    PRIMARY KEY,
    year INTEGER NOT NULL REFERENCES calendar_years(year),
    kind TEXT    NOT NULL CHECK (kind IN ('off', 'on')),
    name TEXT
);
CREATE INDEX calendar_days_year ON calendar_days(year);

-- Opening hours of each hall: an application received after closing counts from the next
-- working day.
ALTER TABLE halls ADD COLUMN opens TEXT NOT NULL DEFAULT '08:30';
ALTER TABLE halls ADD COLUMN closes TEXT NOT NULL DEFAULT '17:00';
