-- A project notice (公示) runs at least 10 days. Notices published earlier under the old 7-day floor
-- stay as they were (NOT VALID: only rows written from now on are checked).
ALTER TABLE notices ADD CONSTRAINT notices_period_days_min_10 CHECK (period_days >= 10) NOT VALID;
