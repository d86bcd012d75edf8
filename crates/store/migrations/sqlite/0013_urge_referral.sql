-- A red card unanswered by its limit is referred to the supervision office (移交监察室): the day
-- it was, kept with the urge, and a "refer" line in its trail.
ALTER TABLE urges ADD COLUMN referred_on TEXT;
