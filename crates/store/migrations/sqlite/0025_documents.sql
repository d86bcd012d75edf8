-- Issue 26. Document numbers (文号): a series per issuing department, year and kind of notice,
-- taken in the transaction of the action that issues the notice, so that it never repeats and
-- never skips (a rolled-back action gives its number back).
CREATE TABLE document_series (
    department_id INTEGER NOT NULL,
    year          INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    last          INTEGER NOT NULL,
    PRIMARY KEY (department_id, year, kind)
);

-- The notices a case was issued, with their numbers.
CREATE TABLE case_documents (
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    kind          TEXT    NOT NULL,
    number        TEXT    NOT NULL,
    department_id INTEGER NOT NULL,
    year          INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    issued_at     TEXT NOT NULL,
    PRIMARY KEY (case_id, kind),
    UNIQUE (department_id, year, kind, seq)
);
