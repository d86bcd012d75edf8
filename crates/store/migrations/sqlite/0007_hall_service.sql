-- Serving in the hall: who sits at each window and whether it is paused, tickets sent to one
-- window, the key that opens a ticket's own page, the cases served under a ticket, and the
-- ratings given at the window's pad (一次一评).

ALTER TABLE tickets ADD COLUMN for_window INTEGER REFERENCES windows(id);
ALTER TABLE tickets ADD COLUMN access_key TEXT NOT NULL DEFAULT '';
-- The first call (waiting time ends there, whatever transfers follow) and the transfers made.
ALTER TABLE tickets ADD COLUMN first_called_at TEXT;
ALTER TABLE tickets ADD COLUMN transfers INTEGER NOT NULL DEFAULT 0;
-- Recent service times per category, for the estimated wait.
CREATE INDEX tickets_finished ON tickets (category_id, finished_at);
CREATE INDEX tickets_hall_day ON tickets (hall_id, day, called_at);

CREATE TABLE window_seats (
    window_id  INTEGER PRIMARY KEY REFERENCES windows(id),
    clerk_id   INTEGER REFERENCES users(id),
    paused     BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TEXT NOT NULL
);

CREATE TABLE ticket_cases (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    case_id   INTEGER NOT NULL REFERENCES cases(id),
    PRIMARY KEY (ticket_id, case_id)
);

CREATE TABLE ratings (
    id         INTEGER PRIMARY KEY,
    channel    TEXT    NOT NULL,
    ticket_id  INTEGER UNIQUE REFERENCES tickets(id),
    case_id    INTEGER REFERENCES cases(id),
    matter_id  INTEGER REFERENCES matters(id),
    hall_id    INTEGER REFERENCES halls(id),
    window_id  INTEGER REFERENCES windows(id),
    clerk_id   INTEGER REFERENCES users(id),
    level      INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    reason     TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX ratings_window ON ratings (window_id, created_at);
CREATE INDEX ratings_clerk ON ratings (clerk_id, created_at);
