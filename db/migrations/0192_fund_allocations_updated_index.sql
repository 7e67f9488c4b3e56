-- GET /api/funds?updatedSince= reads the allocations changed after a time, and the exports' validator
-- reads the newest change: both from this index instead of every allocation.
CREATE INDEX fund_alloc_updated_idx ON fund_allocations (updated_at, id);
