-- The console queue at 1,000,000 tickets (issue #5): every filter, common or rare, for every role.
--
-- 1. Every status in urgency order, covering the scope and filter columns. It serves a single status
--    (open or finished) and "all" (one range per status, merged), and the per-status counts, from the
--    index alone. It replaces the open-only (status, due_on) index of 0033.
DROP INDEX IF EXISTS tickets_open_status_idx;
CREATE INDEX tickets_status_due_idx ON tickets (status, due_on, tier, id)
  INCLUDE (routed_unit_id, subject_unit_id, district_id, category_code, kind, channel, operator_id, dispatched_at);

-- 2. Rare filter values: small (deduplicated) btrees that find a value's few tickets of each status
--    directly, instead of walking every ticket in deadline order until a page is full.
CREATE INDEX tickets_category_status_idx ON tickets (category_code, status);
CREATE INDEX tickets_kind_status_idx ON tickets (kind, status);
CREATE INDEX tickets_tier_status_idx ON tickets (tier, status);
CREATE INDEX tickets_channel_status_idx ON tickets (channel, status);
-- A category's open tickets in urgency order, covering the scope: a category routed outside a scope
-- (misconduct, for a supervisor) is settled from its own few index entries.
CREATE INDEX tickets_open_category_due_idx ON tickets (category_code, due_on, tier, id)
  INCLUDE (status, routed_unit_id, subject_unit_id, district_id, kind, channel, operator_id, dispatched_at)
  WHERE status NOT IN ('not_accepted', 'closed', 'merged');

-- 3. An operator's open tickets in urgency order (the general operator index has no status).
CREATE INDEX tickets_open_operator_due_idx ON tickets (operator_id, due_on, tier, id)
  INCLUDE (status, routed_unit_id, subject_unit_id, district_id, category_code, kind, channel)
  WHERE operator_id IS NOT NULL AND status NOT IN ('not_accepted', 'closed', 'merged');

-- 4. Filters and scopes are correlated (a category is routed to its units, misconduct only to
--    discipline inspection; a district's units are in that district): tell the planner, so that it
--    knows, e.g., that no misconduct ticket is in a supervisor's scope and takes the short path.
--    (About 160 category × unit pairs: a list of up to 2,000 keeps every one.)
CREATE STATISTICS IF NOT EXISTS tickets_routing_stats (mcv) ON category_code, routed_unit_id FROM tickets;
ALTER STATISTICS tickets_routing_stats SET STATISTICS 2000;
CREATE STATISTICS IF NOT EXISTS tickets_place_stats (mcv, dependencies) ON district_id, routed_unit_id FROM tickets;
ANALYZE tickets;
