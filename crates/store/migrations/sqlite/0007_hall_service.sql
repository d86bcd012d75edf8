-- Serving in the hall: who sits at each window and whether it is paused, tickets sent to one
-- window, the key that opens a ticket's own page, the cases served under a ticket, and the
-- ratings given at the window's pad (一次一评).

ALTER TABLE tickets ADD COLUMN for_window INTEGER REFERENCES windows(id);
ALTER TABLE tickets ADD COLUMN access_key TEXT NOT NULL DEFAULT '';
-- The first call (waiting time ends there, whatever transfers follow) and the transfers made.
ALTER TABLE tickets ADD COLUMN first_called_at TEXT;
ALTER TABLE tickets ADD COLUMN transfers INTEGER NOT NULL DEFAULT 0;
-- The queue's order is (rank, arrival, id): with the id in the index the head is read in index
-- order and the read stops at the LIMIT, instead of sorting the whole category's queue.
DROP INDEX tickets_queue;
CREATE INDEX tickets_queue ON tickets (hall_id, category_id, rank, arrival, id) WHERE state = 'waiting';
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

-- Appointments (预约): the slots each category offers every working day, the slots of a day as
-- booked (their counter is what keeps a slot within its capacity), and the bookings.
CREATE TABLE slot_plans (
    category_id INTEGER NOT NULL REFERENCES hall_categories(id),
    starts      TEXT NOT NULL,
    ends        TEXT NOT NULL,
    capacity    INTEGER NOT NULL,
    PRIMARY KEY (category_id, starts)
);

CREATE TABLE slots (
    category_id INTEGER NOT NULL REFERENCES hall_categories(id),
    day         TEXT NOT NULL,
    starts      TEXT NOT NULL,
    capacity    INTEGER NOT NULL,
    booked      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (category_id, day, starts)
);

CREATE TABLE appointments (
    id          INTEGER PRIMARY KEY,
    hall_id     INTEGER NOT NULL REFERENCES halls(id),
    category_id INTEGER NOT NULL REFERENCES hall_categories(id),
    day         TEXT NOT NULL,
    starts      TEXT NOT NULL,
    ends        TEXT NOT NULL,
    name        TEXT NOT NULL,
    id_number   TEXT NOT NULL,
    phone       TEXT,
    state       TEXT NOT NULL,
    ticket_id   INTEGER REFERENCES tickets(id),
    code        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX appointments_person ON appointments (id_number, state, day);
CREATE INDEX appointments_open ON appointments (state, day);

-- Staff photos, shown on the screen over the window the person works at (content-addressed
-- files under uploads_dir, like application materials).
CREATE TABLE staff_photos (
    user_id      INTEGER PRIMARY KEY REFERENCES users(id),
    sha256       TEXT NOT NULL,
    content_type TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
