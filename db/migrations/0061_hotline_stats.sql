-- Public hotline statistics (/stats, GET /api/stats/hotline) read a monthly rollup instead of scanning
-- tickets. The rollup is maintained by triggers on tickets, inside the same transaction as every
-- ticket insert/update/delete, whichever code makes the change: a row's old contribution is
-- subtracted and its new one added. TRUNCATE tickets does not fire row triggers, so anything that
-- truncates tickets must truncate this table too (tests do both), or call hotline_stats_rebuild().
-- Month = month of received_at in China time (Asia/Shanghai); on-time = on or before the due date in
-- China time. Only "currently overdue" is time-dependent and is counted live (partial index below).
CREATE TABLE hotline_stats_monthly (
  month date NOT NULL,
  district_id integer NOT NULL,
  category_code text NOT NULL,
  unit_id integer NOT NULL,
  received integer NOT NULL DEFAULT 0,
  accepted integer NOT NULL DEFAULT 0,
  accepted_on_time integer NOT NULL DEFAULT 0,
  not_accepted integer NOT NULL DEFAULT 0,
  replied integer NOT NULL DEFAULT 0,
  replied_on_time integer NOT NULL DEFAULT 0,
  replied_late integer NOT NULL DEFAULT 0,
  closed integer NOT NULL DEFAULT 0,
  rated integer NOT NULL DEFAULT 0,
  satisfied integer NOT NULL DEFAULT 0,
  close_days_sum numeric(16,4) NOT NULL DEFAULT 0,
  PRIMARY KEY (month, district_id, category_code, unit_id)
);

CREATE FUNCTION hotline_stats_add(r tickets, sign integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  acc_on boolean := r.accepted_at IS NOT NULL
    AND (r.accepted_at AT TIME ZONE 'Asia/Shanghai')::date <= r.accept_due_on;
  rep_on boolean := r.replied_at IS NOT NULL
    AND (r.replied_at AT TIME ZONE 'Asia/Shanghai')::date <= r.handle_due_on;
  is_closed boolean := r.status = 'closed';
BEGIN
  INSERT INTO hotline_stats_monthly AS s (month, district_id, category_code, unit_id, received, accepted,
    accepted_on_time, not_accepted, replied, replied_on_time, replied_late, closed, rated, satisfied, close_days_sum)
  VALUES (
    date_trunc('month', r.received_at AT TIME ZONE 'Asia/Shanghai')::date,
    r.district_id, r.category_code, r.routed_unit_id,
    sign,
    sign * (r.accepted_at IS NOT NULL)::int,
    sign * acc_on::int,
    sign * (r.status = 'not_accepted')::int,
    sign * (r.replied_at IS NOT NULL)::int,
    sign * rep_on::int,
    sign * (r.replied_at IS NOT NULL AND NOT rep_on)::int,
    sign * is_closed::int,
    sign * (r.rating IS NOT NULL)::int,
    sign * coalesce(r.rating IN ('satisfied', 'basically_satisfied'), false)::int,
    CASE WHEN is_closed AND r.closed_at IS NOT NULL
      THEN sign * extract(epoch FROM (r.closed_at - r.received_at)) / 86400.0 ELSE 0 END
  )
  ON CONFLICT (month, district_id, category_code, unit_id) DO UPDATE SET
    received = s.received + excluded.received,
    accepted = s.accepted + excluded.accepted,
    accepted_on_time = s.accepted_on_time + excluded.accepted_on_time,
    not_accepted = s.not_accepted + excluded.not_accepted,
    replied = s.replied + excluded.replied,
    replied_on_time = s.replied_on_time + excluded.replied_on_time,
    replied_late = s.replied_late + excluded.replied_late,
    closed = s.closed + excluded.closed,
    rated = s.rated + excluded.rated,
    satisfied = s.satisfied + excluded.satisfied,
    close_days_sum = s.close_days_sum + excluded.close_days_sum;
END $$;

CREATE FUNCTION hotline_stats_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM hotline_stats_add(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM hotline_stats_add(NEW, 1); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER tickets_stats_insert_delete AFTER INSERT OR DELETE ON tickets
  FOR EACH ROW EXECUTE FUNCTION hotline_stats_trigger();
CREATE TRIGGER tickets_stats_update AFTER UPDATE ON tickets
  FOR EACH ROW WHEN (
    (OLD.status, OLD.received_at, OLD.district_id, OLD.category_code, OLD.routed_unit_id, OLD.accepted_at,
     OLD.accept_due_on, OLD.replied_at, OLD.handle_due_on, OLD.closed_at, OLD.rating)
    IS DISTINCT FROM
    (NEW.status, NEW.received_at, NEW.district_id, NEW.category_code, NEW.routed_unit_id, NEW.accepted_at,
     NEW.accept_due_on, NEW.replied_at, NEW.handle_due_on, NEW.closed_at, NEW.rating)
  ) EXECUTE FUNCTION hotline_stats_trigger();

-- Recompute the whole rollup from tickets (after bulk loads with triggers disabled, or to verify).
CREATE FUNCTION hotline_stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM hotline_stats_monthly;
  INSERT INTO hotline_stats_monthly (month, district_id, category_code, unit_id, received, accepted,
    accepted_on_time, not_accepted, replied, replied_on_time, replied_late, closed, rated, satisfied, close_days_sum)
  SELECT date_trunc('month', t.received_at AT TIME ZONE 'Asia/Shanghai')::date, t.district_id, t.category_code,
    t.routed_unit_id,
    count(*),
    count(*) FILTER (WHERE t.accepted_at IS NOT NULL),
    count(*) FILTER (WHERE (t.accepted_at AT TIME ZONE 'Asia/Shanghai')::date <= t.accept_due_on),
    count(*) FILTER (WHERE t.status = 'not_accepted'),
    count(*) FILTER (WHERE t.replied_at IS NOT NULL),
    count(*) FILTER (WHERE (t.replied_at AT TIME ZONE 'Asia/Shanghai')::date <= t.handle_due_on),
    count(*) FILTER (WHERE (t.replied_at AT TIME ZONE 'Asia/Shanghai')::date > t.handle_due_on),
    count(*) FILTER (WHERE t.status = 'closed'),
    count(*) FILTER (WHERE t.rating IS NOT NULL),
    count(*) FILTER (WHERE t.rating IN ('satisfied', 'basically_satisfied')),
    coalesce(sum(extract(epoch FROM (t.closed_at - t.received_at)) / 86400.0)
      FILTER (WHERE t.status = 'closed' AND t.closed_at IS NOT NULL), 0)
  FROM tickets t
  GROUP BY 1, 2, 3, 4;
END $$;

SELECT hotline_stats_rebuild();

-- "Currently overdue" is counted live over the small set of unfinished tickets.
CREATE INDEX tickets_stats_open_idx ON tickets (routed_unit_id, handle_due_on, accept_due_on)
  WHERE status NOT IN ('not_accepted', 'closed', 'merged', 'replied', 'rated');
