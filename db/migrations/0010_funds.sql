-- Fund transparency (资金分配结果公开), projects (项目) with stages and asset records, notices (公告公示).

CREATE TABLE projects (
  id serial PRIMARY KEY,
  name text NOT NULL,
  year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  district_id integer NOT NULL REFERENCES districts(id),
  town_id integer REFERENCES towns(id),
  village_id integer REFERENCES villages(id),
  category_code text NOT NULL REFERENCES categories(code),
  location text NOT NULL DEFAULT '',
  content text NOT NULL DEFAULT '',
  subsidy_standard text NOT NULL DEFAULT '',
  funding_source text NOT NULL DEFAULT '',
  funding_amount numeric(14,2) CHECK (funding_amount >= 0),
  period_text text NOT NULL DEFAULT '',
  implementing_unit text NOT NULL DEFAULT '',
  responsible_person text NOT NULL DEFAULT '',
  performance_target text NOT NULL DEFAULT '',
  poverty_mechanism text NOT NULL DEFAULT '',
  supervision_phone text NOT NULL DEFAULT '',
  stage text NOT NULL DEFAULT 'reserve'
    CHECK (stage IN ('reserve', 'approved', 'implementing', 'accepted', 'maintenance', 'distribution')),
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX projects_district_idx ON projects (district_id, year);

CREATE TABLE project_stages (
  id serial PRIMARY KEY,
  project_id integer NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  stage text NOT NULL
    CHECK (stage IN ('reserve', 'approved', 'implementing', 'accepted', 'maintenance', 'distribution')),
  happened_on date NOT NULL,
  note text NOT NULL DEFAULT '',
  created_by integer REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX project_stages_project_idx ON project_stages (project_id, happened_on);

-- 资产登记 for completed projects.
CREATE TABLE project_assets (
  id serial PRIMARY KEY,
  project_id integer NOT NULL UNIQUE REFERENCES projects(id) ON DELETE CASCADE,
  asset_name text NOT NULL,
  asset_value numeric(14,2) CHECK (asset_value >= 0),
  owner text NOT NULL,
  manager text NOT NULL,
  maintenance text NOT NULL,
  registered_on date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One import (CSV file) that created allocations.
CREATE TABLE fund_import_batches (
  id serial PRIMARY KEY,
  file_name text NOT NULL,
  encoding text NOT NULL,
  row_count integer NOT NULL,
  total numeric(16,2) NOT NULL,
  created_by integer REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The current figure of each allocation; every version (including the first) is in fund_allocation_versions.
CREATE TABLE fund_allocations (
  id serial PRIMARY KEY,
  year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  level text NOT NULL CHECK (level IN ('central', 'provincial', 'city', 'county')),
  fund_name text NOT NULL,
  doc_number text NOT NULL,
  district_id integer NOT NULL REFERENCES districts(id),
  town_id integer REFERENCES towns(id),
  village_id integer REFERENCES villages(id),
  project_id integer REFERENCES projects(id),
  category_code text NOT NULL REFERENCES categories(code),
  amount numeric(14,2) NOT NULL CHECK (amount >= 0),
  purpose text NOT NULL DEFAULT '',
  published_on date NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
  version integer NOT NULL DEFAULT 1,
  batch_id integer REFERENCES fund_import_batches(id),
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Explorer queries filter active rows by year and/or place; these cover the summaries (amount included)
-- and the default order (published_on DESC, id DESC).
CREATE INDEX fund_alloc_year_district_idx ON fund_allocations (year, district_id) INCLUDE (amount, level, category_code)
  WHERE status = 'active';
CREATE INDEX fund_alloc_district_year_idx ON fund_allocations (district_id, year, town_id, village_id) INCLUDE (amount)
  WHERE status = 'active';
CREATE INDEX fund_alloc_order_idx ON fund_allocations (published_on DESC, id DESC) WHERE status = 'active';
CREATE INDEX fund_alloc_town_idx ON fund_allocations (town_id) WHERE status = 'active';
CREATE INDEX fund_alloc_village_idx ON fund_allocations (village_id) WHERE status = 'active';
CREATE INDEX fund_alloc_project_idx ON fund_allocations (project_id);
CREATE INDEX fund_alloc_doc_idx ON fund_allocations (doc_number);
CREATE INDEX fund_alloc_text_idx ON fund_allocations USING gin ((fund_name || ' ' || doc_number || ' ' || purpose) gin_trgm_ops);

CREATE TABLE fund_allocation_versions (
  id serial PRIMARY KEY,
  allocation_id integer NOT NULL REFERENCES fund_allocations(id) ON DELETE CASCADE,
  version integer NOT NULL,
  -- original | correction | withdrawal
  kind text NOT NULL CHECK (kind IN ('original', 'correction', 'withdrawal')),
  year integer NOT NULL,
  level text NOT NULL,
  fund_name text NOT NULL,
  doc_number text NOT NULL,
  district_id integer NOT NULL REFERENCES districts(id),
  town_id integer REFERENCES towns(id),
  village_id integer REFERENCES villages(id),
  project_id integer REFERENCES projects(id),
  category_code text NOT NULL REFERENCES categories(code),
  amount numeric(14,2) NOT NULL,
  purpose text NOT NULL DEFAULT '',
  published_on date NOT NULL,
  reason text,
  created_by integer REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT fund_allocation_versions_key UNIQUE (allocation_id, version)
);

-- 公告公示. An amendment is a new notice (amends_id → the original); the original gets superseded_by_id.
CREATE TABLE notices (
  id serial PRIMARY KEY,
  title text NOT NULL,
  project_id integer REFERENCES projects(id),
  -- the allocation batch (文号) the notice publishes, if any
  doc_number text,
  district_id integer NOT NULL REFERENCES districts(id),
  town_id integer REFERENCES towns(id),
  village_id integer REFERENCES villages(id),
  project_name text NOT NULL DEFAULT '',
  location text NOT NULL DEFAULT '',
  content text NOT NULL DEFAULT '',
  subsidy_standard text NOT NULL DEFAULT '',
  funding text NOT NULL DEFAULT '',
  period_text text NOT NULL DEFAULT '',
  implementer text NOT NULL DEFAULT '',
  performance_target text NOT NULL DEFAULT '',
  poverty_mechanism text NOT NULL DEFAULT '',
  supervision_phone text NOT NULL DEFAULT '',
  body text NOT NULL DEFAULT '',
  period_days integer NOT NULL DEFAULT 10 CHECK (period_days >= 7),
  period_start date,
  period_end date,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'withdrawn')),
  published_at timestamptz,
  withdrawn_at timestamptz,
  withdraw_reason text,
  amends_id integer REFERENCES notices(id),
  amend_reason text,
  superseded_by_id integer REFERENCES notices(id),
  created_by integer REFERENCES users(id),
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notices_district_idx ON notices (district_id, period_start DESC);
CREATE INDEX notices_project_idx ON notices (project_id);
CREATE INDEX notices_period_idx ON notices (period_start DESC, id DESC);
