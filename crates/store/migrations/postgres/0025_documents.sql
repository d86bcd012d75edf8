-- Issue 26. Document numbers (文号): a series per issuing department, year and kind of notice,
-- taken in the transaction of the action that issues the notice, so that it never repeats and
-- never skips (a rolled-back action gives its number back).
CREATE TABLE document_series (
    department_id BIGINT NOT NULL,
    year          BIGINT NOT NULL,
    kind          TEXT    NOT NULL,
    last          BIGINT NOT NULL,
    PRIMARY KEY (department_id, year, kind)
);

-- The notices a case was issued, with their numbers.
CREATE TABLE case_documents (
    case_id       BIGINT NOT NULL REFERENCES cases(id),
    kind          TEXT    NOT NULL,
    number        TEXT    NOT NULL,
    department_id BIGINT NOT NULL,
    year          BIGINT NOT NULL,
    seq           BIGINT NOT NULL,
    issued_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, kind),
    UNIQUE (department_id, year, kind, seq)
);
