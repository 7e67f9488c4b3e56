-- The filter bar counts every unfinished ticket in a person's scope exactly: for a city supervisor
-- that is nearly all of them (≈140,000 at 1,000,000 tickets). This index holds just what that count
-- reads — status (the grouping), the scope's unit columns and the low-cardinality filters — and
-- deduplicates to ≈3 MB, so the pass costs about half of one over the wide urgency-order indexes.
CREATE INDEX IF NOT EXISTS tickets_open_count_idx ON tickets (status, routed_unit_id, subject_unit_id, kind, tier, channel)
  WHERE status NOT IN ('not_accepted', 'closed', 'merged');
