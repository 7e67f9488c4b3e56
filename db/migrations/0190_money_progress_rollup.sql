-- Progress of the money (拨付率, 到户率) summed per (district, year, category, programme) so the
-- progress summary reads a few hundred rows instead of every disbursement and household payment.
-- Rows with programme '' carry disbursements (all of them, and those made to households); rows with a
-- programme carry household payments in state 'paid'. Only active rows count. The category is the
-- funding allocation's (through the disbursement), so a correction of an allocation's category moves
-- its disbursements and payments with it.
--
-- Writes never update a shared row: statement-level triggers append their +/- contribution to
-- money_progress_delta (one row per group and statement, so an import of 100,000 payments adds a
-- handful), readers sum the rollup and the pending deltas through the view money_progress (exact at
-- any moment), and money_progress_compact(), run by the server's periodic background work, folds the
-- deltas into the rollup. A long import therefore never holds a lock another publisher waits for.
CREATE TABLE money_progress_rollup (
  district_id integer NOT NULL,
  year integer NOT NULL,
  category_code text NOT NULL,
  programme text NOT NULL,
  disbursed numeric(18,2) NOT NULL DEFAULT 0,
  to_households numeric(18,2) NOT NULL DEFAULT 0,
  paid numeric(18,2) NOT NULL DEFAULT 0,
  PRIMARY KEY (district_id, year, category_code, programme)
);
CREATE TABLE money_progress_delta (LIKE money_progress_rollup INCLUDING DEFAULTS);

CREATE VIEW money_progress AS
  SELECT * FROM money_progress_rollup
  UNION ALL
  SELECT * FROM money_progress_delta;

CREATE FUNCTION money_progress_disbursements() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO money_progress_delta (district_id, year, category_code, programme, disbursed, to_households)
      SELECT o.district_id, o.year, a.category_code, '', -sum(o.amount),
        -coalesce(sum(o.amount) FILTER (WHERE o.recipient_kind = 'households'), 0)
      FROM old_rows o JOIN fund_allocations a ON a.id = o.allocation_id
      WHERE o.status = 'active' GROUP BY 1, 2, 3;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO money_progress_delta (district_id, year, category_code, programme, disbursed, to_households)
      SELECT n.district_id, n.year, a.category_code, '', sum(n.amount),
        coalesce(sum(n.amount) FILTER (WHERE n.recipient_kind = 'households'), 0)
      FROM new_rows n JOIN fund_allocations a ON a.id = n.allocation_id
      WHERE n.status = 'active' GROUP BY 1, 2, 3;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION money_progress_payments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO money_progress_delta (district_id, year, category_code, programme, paid)
      SELECT o.district_id, o.year, a.category_code, o.programme, -sum(o.amount)
      FROM old_rows o JOIN disbursements d ON d.id = o.disbursement_id JOIN fund_allocations a ON a.id = d.allocation_id
      WHERE o.status = 'active' AND o.state = 'paid' GROUP BY 1, 2, 3, 4;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO money_progress_delta (district_id, year, category_code, programme, paid)
      SELECT n.district_id, n.year, a.category_code, n.programme, sum(n.amount)
      FROM new_rows n JOIN disbursements d ON d.id = n.disbursement_id JOIN fund_allocations a ON a.id = d.allocation_id
      WHERE n.status = 'active' AND n.state = 'paid' GROUP BY 1, 2, 3, 4;
  END IF;
  RETURN NULL;
END $$;

-- An allocation whose category is corrected takes its disbursements and payments to the new category.
CREATE FUNCTION money_progress_allocations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO money_progress_delta (district_id, year, category_code, programme, disbursed, to_households, paid)
    SELECT g.district_id, g.year, g.category_code, g.programme, sum(g.disbursed), sum(g.to_households), sum(g.paid)
    FROM (
      SELECT d.district_id, d.year, c.category_code, '' AS programme, c.sign * d.amount AS disbursed,
        CASE WHEN d.recipient_kind = 'households' THEN c.sign * d.amount ELSE 0 END AS to_households, 0 AS paid
      FROM (SELECT o.id, o.category_code, -1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id
              WHERE n.category_code <> o.category_code
            UNION ALL
            SELECT n.id, n.category_code, 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
              WHERE n.category_code <> o.category_code) c
      JOIN disbursements d ON d.allocation_id = c.id AND d.status = 'active'
      UNION ALL
      SELECT p.district_id, p.year, c.category_code, p.programme, 0, 0, c.sign * p.amount
      FROM (SELECT o.id, o.category_code, -1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id
              WHERE n.category_code <> o.category_code
            UNION ALL
            SELECT n.id, n.category_code, 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
              WHERE n.category_code <> o.category_code) c
      JOIN disbursements d ON d.allocation_id = c.id
      JOIN household_payments p ON p.disbursement_id = d.id AND p.status = 'active' AND p.state = 'paid'
    ) g
    GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END $$;

CREATE TRIGGER money_progress_disbursements_insert AFTER INSERT ON disbursements
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION money_progress_disbursements();
CREATE TRIGGER money_progress_disbursements_update AFTER UPDATE ON disbursements
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION money_progress_disbursements();
CREATE TRIGGER money_progress_disbursements_delete AFTER DELETE ON disbursements
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION money_progress_disbursements();
CREATE TRIGGER money_progress_payments_insert AFTER INSERT ON household_payments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION money_progress_payments();
CREATE TRIGGER money_progress_payments_update AFTER UPDATE ON household_payments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION money_progress_payments();
CREATE TRIGGER money_progress_payments_delete AFTER DELETE ON household_payments
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION money_progress_payments();
CREATE TRIGGER money_progress_allocations_update AFTER UPDATE ON fund_allocations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION money_progress_allocations();

-- Fold pending deltas into the rollup. Safe to run concurrently: a delta row is deleted (and so
-- counted) by exactly one compaction; deltas committed meanwhile wait for the next one.
CREATE FUNCTION money_progress_compact() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  moved integer;
BEGIN
  WITH taken AS (DELETE FROM money_progress_delta RETURNING *),
  folded AS (
    INSERT INTO money_progress_rollup AS r (district_id, year, category_code, programme, disbursed, to_households, paid)
    SELECT district_id, year, category_code, programme, sum(disbursed), sum(to_households), sum(paid)
    FROM taken GROUP BY 1, 2, 3, 4
    ON CONFLICT (district_id, year, category_code, programme) DO UPDATE SET
      disbursed = r.disbursed + excluded.disbursed,
      to_households = r.to_households + excluded.to_households,
      paid = r.paid + excluded.paid
    RETURNING 1
  )
  SELECT count(*) INTO moved FROM taken;
  DELETE FROM money_progress_rollup WHERE disbursed = 0 AND to_households = 0 AND paid = 0;
  RETURN moved;
END $$;

INSERT INTO money_progress_rollup (district_id, year, category_code, programme, disbursed, to_households, paid)
  SELECT d.district_id, d.year, a.category_code, '', sum(d.amount),
    coalesce(sum(d.amount) FILTER (WHERE d.recipient_kind = 'households'), 0), 0
  FROM disbursements d JOIN fund_allocations a ON a.id = d.allocation_id
  WHERE d.status = 'active' GROUP BY 1, 2, 3;
INSERT INTO money_progress_rollup (district_id, year, category_code, programme, disbursed, to_households, paid)
  SELECT p.district_id, p.year, a.category_code, p.programme, 0, 0, sum(p.amount)
  FROM household_payments p JOIN disbursements d ON d.id = p.disbursement_id JOIN fund_allocations a ON a.id = d.allocation_id
  WHERE p.status = 'active' AND p.state = 'paid' GROUP BY 1, 2, 3, 4;
