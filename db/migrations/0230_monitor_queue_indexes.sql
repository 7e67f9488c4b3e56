-- The /console/monitor queue: every filter (state, source, district) with either sort (newest, most
-- spread) reads its first page in order from one index instead of filtering or sorting many rows, and
-- a filtered count stops after the cap reading the index alone.
CREATE INDEX monitor_items_state_source_idx ON monitor_items (state, source_id, fetched_at DESC, id DESC) WHERE is_head;
CREATE INDEX monitor_items_state_district_idx ON monitor_items (state, district_id, fetched_at DESC, id DESC) WHERE is_head;
CREATE INDEX monitor_items_spread_all_idx ON monitor_items (spread DESC, id DESC) WHERE is_head;
CREATE INDEX monitor_items_district_spread_idx ON monitor_items (district_id, spread DESC, id DESC) WHERE is_head;
