-- The console's queue counts open tickets per status inside a person's scope; carrying the filter
-- columns in the open-ticket indexes lets PostgreSQL count from the index alone (no heap visits).
DROP INDEX IF EXISTS tickets_open_due_idx;
DROP INDEX IF EXISTS tickets_open_district_due_idx;
DROP INDEX IF EXISTS tickets_open_unit_due_idx;
CREATE INDEX tickets_open_due_idx ON tickets (due_on, tier, id)
  INCLUDE (status, routed_unit_id, subject_unit_id, district_id, category_code, kind, channel, operator_id)
  WHERE status NOT IN ('not_accepted', 'closed', 'merged');
CREATE INDEX tickets_open_district_due_idx ON tickets (district_id, due_on, tier, id)
  INCLUDE (status, routed_unit_id, subject_unit_id, category_code, kind, channel)
  WHERE status NOT IN ('not_accepted', 'closed', 'merged');
CREATE INDEX tickets_open_unit_due_idx ON tickets (routed_unit_id, due_on, tier, id)
  INCLUDE (status, subject_unit_id, district_id, category_code, kind, channel, dispatched_at)
  WHERE status NOT IN ('not_accepted', 'closed', 'merged');
-- Per-status counts (capped) read one status's range of open tickets.
CREATE INDEX tickets_open_status_idx ON tickets (status, due_on)
  INCLUDE (routed_unit_id, subject_unit_id, district_id, category_code, kind, channel, tier, operator_id, dispatched_at)
  WHERE status NOT IN ('not_accepted', 'closed', 'merged');
