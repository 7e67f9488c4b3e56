-- The explorer's pages are "newest first" within a place and/or year. Published dates follow the
-- fiscal year, so a plain (published_on) index walks through every newer year before finding an older
-- year's rows: give each common filter its own ordered index. Sums come from fund_rollup (0011), so
-- the covering summary indexes of 0010 go.
DROP INDEX IF EXISTS fund_alloc_year_district_idx;
DROP INDEX IF EXISTS fund_alloc_district_year_idx;
DROP INDEX IF EXISTS fund_alloc_town_idx;
DROP INDEX IF EXISTS fund_alloc_village_idx;
CREATE INDEX IF NOT EXISTS fund_alloc_year_order_idx ON fund_allocations (year, published_on DESC, id DESC) WHERE status = 'active';
CREATE INDEX IF NOT EXISTS fund_alloc_district_year_order_idx ON fund_allocations (district_id, year, published_on DESC, id DESC)
  WHERE status = 'active';
CREATE INDEX IF NOT EXISTS fund_alloc_district_order_idx ON fund_allocations (district_id, published_on DESC, id DESC)
  WHERE status = 'active';
CREATE INDEX IF NOT EXISTS fund_alloc_town_order_idx ON fund_allocations (town_id, published_on DESC, id DESC) WHERE status = 'active';
CREATE INDEX IF NOT EXISTS fund_alloc_village_order_idx ON fund_allocations (village_id, published_on DESC, id DESC)
  WHERE status = 'active';
