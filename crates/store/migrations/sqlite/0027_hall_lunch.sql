-- A hall's lunch break (午间休息), "HH:MM-HH:MM" within its opening hours, or none: one setting
-- the kiosk, the guides and the booking slots all read.
ALTER TABLE halls ADD COLUMN lunch_break TEXT;
