-- The days a case's running clock turns yellow and red (电子监察), kept with the case so that
-- lists and counts by light compare dates instead of computing every case's clock. Empty while
-- no clock runs. Cases written before this migration get theirs at their next change.
ALTER TABLE cases ADD COLUMN yellow_on TEXT;
ALTER TABLE cases ADD COLUMN red_on TEXT;
CREATE INDEX cases_red_on ON cases (red_on) WHERE red_on IS NOT NULL;
CREATE INDEX cases_yellow_on ON cases (yellow_on) WHERE yellow_on IS NOT NULL;
