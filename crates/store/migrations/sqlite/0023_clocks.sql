-- Issue 26. Supervision's lights are those of cases under review: a decided case leaves them
-- (its delivery clock shows on its page). Every case's light days are recomputed at the next
-- start (the job that reads 'cases.relight').
INSERT INTO settings (key, value, updated_at) VALUES ('cases.relight', '"pending"', '2026-12-07T00:00:00Z')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;

-- Cases concluded late (超期办结), newest first, by any slice: supervision's own list of them.
CREATE INDEX cases_concluded_late ON cases (concluded_on, id, department_id, region_id, matter_id, channel, window_id, clerk_id)
    WHERE concluded_on IS NOT NULL AND decided_on > promised_due;
