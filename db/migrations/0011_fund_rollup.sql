-- Totals of active allocations by (year, level, district, town, category), kept in step by statement-level
-- triggers with transition tables, so the explorer's totals and summaries without a village or keyword
-- filter read a few thousand rows instead of every allocation. town_id 0 = allocated at district level.
CREATE TABLE fund_rollup (
  year integer NOT NULL,
  level text NOT NULL,
  district_id integer NOT NULL,
  town_id integer NOT NULL,
  category_code text NOT NULL,
  n bigint NOT NULL,
  total numeric(18,2) NOT NULL,
  PRIMARY KEY (year, level, district_id, town_id, category_code)
);
CREATE INDEX fund_rollup_district_idx ON fund_rollup (district_id, town_id);

CREATE FUNCTION fund_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO fund_rollup AS r (year, level, district_id, town_id, category_code, n, total)
      SELECT year, level, district_id, coalesce(town_id, 0), category_code, -count(*), -sum(amount)
      FROM old_rows WHERE status = 'active' GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (year, level, district_id, town_id, category_code)
      DO UPDATE SET n = r.n + excluded.n, total = r.total + excluded.total;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO fund_rollup AS r (year, level, district_id, town_id, category_code, n, total)
      SELECT year, level, district_id, coalesce(town_id, 0), category_code, count(*), sum(amount)
      FROM new_rows WHERE status = 'active' GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (year, level, district_id, town_id, category_code)
      DO UPDATE SET n = r.n + excluded.n, total = r.total + excluded.total;
  END IF;
  DELETE FROM fund_rollup WHERE n = 0;
  RETURN NULL;
END;
$$;

CREATE TRIGGER fund_rollup_insert AFTER INSERT ON fund_allocations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fund_rollup_apply();
CREATE TRIGGER fund_rollup_update AFTER UPDATE ON fund_allocations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fund_rollup_apply();
CREATE TRIGGER fund_rollup_delete AFTER DELETE ON fund_allocations
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION fund_rollup_apply();

INSERT INTO fund_rollup (year, level, district_id, town_id, category_code, n, total)
  SELECT year, level, district_id, coalesce(town_id, 0), category_code, count(*), sum(amount)
  FROM fund_allocations WHERE status = 'active' GROUP BY 1, 2, 3, 4, 5;
