-- "Overdue now" for the public statistics: an index keyed by the deadline that applies to an unfinished
-- ticket (acceptance while received, handling after), so counting overdue tickets reads only those
-- entries (index-only: the filters and the unit are included).
DROP INDEX IF EXISTS tickets_stats_open_idx;
CREATE INDEX tickets_stats_overdue_idx ON tickets
  ((CASE WHEN status = 'received' THEN accept_due_on ELSE handle_due_on END))
  INCLUDE (district_id, category_code, received_at, routed_unit_id)
  WHERE status NOT IN ('not_accepted', 'closed', 'merged', 'replied', 'rated');
