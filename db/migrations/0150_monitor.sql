-- 24-hour online-opinion monitoring (涉贫舆情监测): the sources fetched around the clock, the watch-list,
-- the items caught (with a text snapshot and their near-duplicate group), triage, and the duty roster.

CREATE TABLE monitor_sources (
  id serial PRIMARY KEY,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  url text NOT NULL UNIQUE CHECK (url ~ '^https?://' AND char_length(url) <= 2000),
  -- rss | atom | jsonfeed | html (a list page; item_selector picks the items)
  kind text NOT NULL CHECK (kind IN ('rss', 'atom', 'jsonfeed', 'html')),
  item_selector text CHECK (char_length(item_selector) <= 200),
  interval_minutes integer NOT NULL DEFAULT 30 CHECK (interval_minutes BETWEEN 1 AND 1440),
  enabled boolean NOT NULL DEFAULT true,
  owner_unit_id integer REFERENCES units(id),
  -- console | file (declared in MONITOR_SOURCES_FILE)
  origin text NOT NULL DEFAULT 'console' CHECK (origin IN ('console', 'file')),
  -- Conditional GET validators of the last successful answer.
  etag text,
  last_modified text,
  next_fetch_at timestamptz NOT NULL DEFAULT now(),
  last_attempt_at timestamptz,
  last_success_at timestamptz,
  last_error text,
  last_error_at timestamptz,
  consecutive_failures integer NOT NULL DEFAULT 0,
  items_seen bigint NOT NULL DEFAULT 0,
  items_caught bigint NOT NULL DEFAULT 0,
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX monitor_sources_due_idx ON monitor_sources (next_fetch_at) WHERE enabled;

-- Campaign terms of the watch-list (place names come from the reference data).
CREATE TABLE monitor_terms (
  id serial PRIMARY KEY,
  term text NOT NULL UNIQUE CHECK (char_length(term) BETWEEN 1 AND 20),
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO monitor_terms (term) VALUES
  ('扶贫'), ('脱贫'), ('低保'), ('危房改造'), ('补助'), ('截留'), ('挪用'), ('优亲厚友'), ('吃拿卡要'),
  ('形式主义'), ('扶贫资金'), ('贫困户'), ('建档立卡'), ('冒领'), ('虚报'), ('克扣'), ('特困'), ('五保'),
  ('兜底'), ('小额信贷'), ('易地扶贫搬迁'), ('官僚主义'), ('数字脱贫'), ('返贫');

CREATE TABLE monitor_items (
  id bigserial PRIMARY KEY,
  source_id integer NOT NULL REFERENCES monitor_sources(id),
  -- SHA-256 of the source's guid (or link): a re-fetch of the same entry inserts nothing.
  entry_key text NOT NULL,
  url text NOT NULL CHECK (char_length(url) <= 2000),
  title text NOT NULL,
  excerpt text NOT NULL,
  published_at timestamptz,
  fetched_at timestamptz NOT NULL DEFAULT now(),
  -- The text as fetched, kept so a deleted post is still on record.
  snapshot text NOT NULL,
  terms text[] NOT NULL DEFAULT '{}',
  places text[] NOT NULL DEFAULT '{}',
  district_id integer REFERENCES districts(id),
  -- 64-bit SimHash of the segmented text, and its 28 candidate keys (near-duplicates share at least one;
  -- see domain/monitor/simhash.ts).
  simhash bigint NOT NULL,
  simkeys integer[] NOT NULL,
  -- The first-seen item of its near-duplicate group (itself for a head); spread counts the others.
  group_id bigint NOT NULL,
  is_head boolean NOT NULL DEFAULT true,
  spread integer NOT NULL DEFAULT 0,
  last_spread_at timestamptz,
  -- new | dismissed | known | ticketed (a group is triaged through its head)
  state text NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'dismissed', 'known', 'ticketed')),
  triaged_at timestamptz,
  triaged_by integer REFERENCES users(id),
  dismiss_reason text,
  ticket_id integer REFERENCES tickets(id),
  -- Overdue notifications sent (each at most once): the person on duty, then the supervisors.
  duty_notified_at timestamptz,
  supervisor_notified_at timestamptz,
  is_demo boolean NOT NULL DEFAULT false,
  UNIQUE (source_id, entry_key)
);
CREATE INDEX monitor_items_queue_idx ON monitor_items (state, fetched_at DESC, id DESC) WHERE is_head;
CREATE INDEX monitor_items_spread_idx ON monitor_items (state, spread DESC, id DESC) WHERE is_head;
CREATE INDEX monitor_items_source_idx ON monitor_items (source_id, fetched_at DESC) WHERE is_head;
CREATE INDEX monitor_items_district_idx ON monitor_items (district_id, fetched_at DESC) WHERE is_head;
CREATE INDEX monitor_items_terms_idx ON monitor_items USING gin (terms);
CREATE INDEX monitor_items_group_idx ON monitor_items (group_id);
CREATE INDEX monitor_items_simkeys_idx ON monitor_items USING gin (simkeys);
CREATE INDEX monitor_items_month_idx ON monitor_items (fetched_at) WHERE is_head;
CREATE INDEX monitor_items_overdue_idx ON monitor_items (fetched_at) WHERE is_head AND state = 'new' AND supervisor_notified_at IS NULL;

-- 值班表: who is on duty when (an overdue untriaged item notifies them, then the supervisors).
CREATE TABLE monitor_duty (
  id serial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users(id),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  created_by integer REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX monitor_duty_time_idx ON monitor_duty (starts_at, ends_at);
