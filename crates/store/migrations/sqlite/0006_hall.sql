-- The service hall (大厅): business categories with their ticket prefixes and matters, the
-- categories each window calls in its order, tickets, and the calls made per category (from
-- which the fairness rule counts how often a waiting ticket was passed over).

CREATE TABLE hall_categories (
    id         INTEGER PRIMARY KEY,
    hall_id    INTEGER  NOT NULL REFERENCES halls(id),
    name       TEXT    NOT NULL,
    prefix     TEXT    NOT NULL,
    zone_id    INTEGER  REFERENCES zones(id),
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    version    INTEGER  NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (hall_id, name),
    UNIQUE (hall_id, prefix)
);

CREATE TABLE category_matters (
    category_id INTEGER NOT NULL REFERENCES hall_categories(id),
    matter_id   INTEGER NOT NULL REFERENCES matters(id),
    PRIMARY KEY (category_id, matter_id)
);

CREATE TABLE window_categories (
    window_id   INTEGER NOT NULL REFERENCES windows(id),
    category_id INTEGER NOT NULL REFERENCES hall_categories(id),
    rank        INTEGER NOT NULL,
    PRIMARY KEY (window_id, category_id)
);

CREATE TABLE tickets (
    id          INTEGER PRIMARY KEY,
    hall_id     INTEGER  NOT NULL REFERENCES halls(id),
    category_id INTEGER  NOT NULL REFERENCES hall_categories(id),
    day         TEXT    NOT NULL,
    number      TEXT    NOT NULL,
    priority    TEXT    NOT NULL,
    -- The priority's calling rank (onewindow_core::hall::ticket::Priority::rank).
    rank        INTEGER  NOT NULL,
    source      TEXT    NOT NULL,
    id_number   TEXT,
    phone       TEXT,
    arrival     INTEGER  NOT NULL,
    state       TEXT    NOT NULL,
    requeued    BOOLEAN NOT NULL DEFAULT FALSE,
    window_id   INTEGER  REFERENCES windows(id),
    clerk_id    INTEGER  REFERENCES users(id),
    issued_at   TEXT NOT NULL,
    called_at   TEXT,
    finished_at TEXT,
    recalls     INTEGER  NOT NULL DEFAULT 0,
    version     INTEGER  NOT NULL DEFAULT 1,
    UNIQUE (hall_id, day, number)
);
-- The head of each category's queue is one seek: by rank, then arrival.
CREATE INDEX tickets_queue ON tickets (hall_id, category_id, rank, arrival) WHERE state = 'waiting';
CREATE INDEX tickets_window ON tickets (window_id, called_at);

-- One row per category a calling window serves, with the arrival of the ticket it called: a
-- waiting ticket of the category was passed over once for each row with a later arrival.
CREATE TABLE category_calls (
    category_id INTEGER NOT NULL REFERENCES hall_categories(id),
    arrival     INTEGER NOT NULL
);
CREATE INDEX category_calls_arrival ON category_calls (category_id, arrival);
