-- Background jobs shared by several instances (issue 11): each job runs on the instance that
-- holds its lease, renewed at every round; when that instance stops, the lease runs out and
-- another takes the job over.
CREATE TABLE job_leases (
    job     TEXT PRIMARY KEY,
    holder  TEXT NOT NULL,
    until   TEXT NOT NULL
);
