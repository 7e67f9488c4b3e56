-- The village page sums every active allocation of one village (with what was disbursed from each),
-- its disbursements per year and its paid household payments per year and programme. These covering
-- indexes let it read all three from the indexes alone instead of visiting thousands of table rows.
CREATE INDEX fund_alloc_village_sums_idx ON fund_allocations (village_id, id) INCLUDE (year, published_on, amount)
  WHERE status = 'active';
DROP INDEX disbursements_village_idx;
CREATE INDEX disbursements_village_year_idx ON disbursements (village_id, year) INCLUDE (allocation_id, amount)
  WHERE status = 'active';
DROP INDEX household_payments_village_idx;
CREATE INDEX household_payments_village_paid_idx ON household_payments (village_id, year, programme)
  INCLUDE (household_id, amount) WHERE status = 'active' AND state = 'paid';
