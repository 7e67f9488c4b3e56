-- 0080 was changed after it had been applied in some databases. Bring every database to the final
-- text: the category index without the scope columns plus a covering partial index of a category's
-- open tickets in urgency order, and routing statistics on (category, unit) only, with a long MCV
-- list. A database that applied the final text is left as it is.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = current_schema()
             AND indexname = 'tickets_category_status_idx' AND indexdef LIKE '%INCLUDE%') THEN
    DROP INDEX tickets_category_status_idx;
    CREATE INDEX tickets_category_status_idx ON tickets (category_code, status);
  END IF;
  IF EXISTS (SELECT 1 FROM pg_statistic_ext WHERE stxname = 'tickets_routing_stats'
             AND (array_length(stxkeys::int2[], 1) <> 2 OR stxkind <> ARRAY['m']::"char"[])) THEN
    DROP STATISTICS tickets_routing_stats;
    CREATE STATISTICS tickets_routing_stats (mcv) ON category_code, routed_unit_id FROM tickets;
    ALTER STATISTICS tickets_routing_stats SET STATISTICS 2000;
    ANALYZE tickets;
  END IF;
END $$;
CREATE INDEX IF NOT EXISTS tickets_open_category_due_idx ON tickets (category_code, due_on, tier, id)
  INCLUDE (status, routed_unit_id, subject_unit_id, district_id, kind, channel, operator_id, dispatched_at)
  WHERE status NOT IN ('not_accepted', 'closed', 'merged');
