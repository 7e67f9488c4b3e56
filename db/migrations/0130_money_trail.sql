-- Following the money to the household: disbursements (拨付) from an allocation, spending (支出) on a
-- project, the household register (personal data sealed), payments straight to households
-- (直接拨付到户), 危房改造 cases, beneficiary lists carried by notices, and the automatic ledger entries
-- for money that is stuck. Every correction or withdrawal is a public version in money_versions.

-- 拨付: money actually moved from an allocation to a recipient. The domain locks the allocation row
-- before it checks that the active disbursements never add up to more than the allocation.
CREATE TABLE disbursements (
  id serial PRIMARY KEY,
  allocation_id integer NOT NULL REFERENCES fund_allocations(id),
  -- copied from the allocation so place/year summaries need no join
  district_id integer NOT NULL REFERENCES districts(id),
  town_id integer REFERENCES towns(id),
  village_id integer REFERENCES villages(id),
  year integer NOT NULL,
  disbursed_on date NOT NULL,
  amount numeric(14,2) NOT NULL CHECK (amount > 0),
  voucher_no text NOT NULL,
  method text NOT NULL DEFAULT '国库集中支付',
  recipient_kind text NOT NULL CHECK (recipient_kind IN ('unit', 'town', 'village', 'project', 'households')),
  recipient text NOT NULL,
  project_id integer REFERENCES projects(id),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
  version integer NOT NULL DEFAULT 1,
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX disbursements_allocation_idx ON disbursements (allocation_id) INCLUDE (amount) WHERE status = 'active';
CREATE INDEX disbursements_place_idx ON disbursements (district_id, year) INCLUDE (amount) WHERE status = 'active';
CREATE INDEX disbursements_village_idx ON disbursements (village_id) WHERE status = 'active';
CREATE INDEX disbursements_updated_idx ON disbursements (updated_at, id);

-- 支出: what a project paid to a company or unit (public: payees are not private persons).
CREATE TABLE project_spending (
  id serial PRIMARY KEY,
  project_id integer NOT NULL REFERENCES projects(id),
  disbursement_id integer REFERENCES disbursements(id),
  payee text NOT NULL,
  contract_no text NOT NULL DEFAULT '',
  amount numeric(14,2) NOT NULL CHECK (amount > 0),
  paid_on date NOT NULL,
  purpose text NOT NULL DEFAULT '',
  stage text NOT NULL DEFAULT 'implementing'
    CHECK (stage IN ('reserve', 'approved', 'implementing', 'accepted', 'maintenance', 'distribution')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
  version integer NOT NULL DEFAULT 1,
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX project_spending_project_idx ON project_spending (project_id) WHERE status = 'active';
CREATE INDEX project_spending_disbursement_idx ON project_spending (disbursement_id) WHERE status = 'active';

-- The household register (建档立卡户). The 户主's name and ID number are sealed (AES-256-GCM, lib/crypto);
-- the ID number is found only through its keyed hash (HMAC). name_masked / id_masked are the only
-- forms that may be shown publicly (张*明, 3703**********1234).
CREATE TABLE households (
  id serial PRIMARY KEY,
  district_id integer NOT NULL REFERENCES districts(id),
  town_id integer NOT NULL REFERENCES towns(id),
  village_id integer NOT NULL REFERENCES villages(id),
  key_id text NOT NULL,
  identity_enc text NOT NULL,
  id_hash text NOT NULL UNIQUE,
  -- keyed hash of the 户主's name as typed (normalised), checked together with id_hash by 查询本人补贴
  name_hash text NOT NULL,
  name_masked text NOT NULL,
  id_masked text NOT NULL,
  members integer NOT NULL CHECK (members BETWEEN 1 AND 30),
  status text NOT NULL DEFAULT 'registered' CHECK (status IN ('registered', 'exited')),
  identified_on date,
  exited_on date,
  version integer NOT NULL DEFAULT 1,
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX households_village_idx ON households (village_id);

CREATE TABLE household_payment_batches (
  id serial PRIMARY KEY,
  file_name text NOT NULL,
  encoding text NOT NULL,
  row_count integer NOT NULL,
  total numeric(16,2) NOT NULL,
  created_by integer REFERENCES users(id),
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- 直接拨付到户: one payment to one household for one programme and period, funded by a disbursement.
CREATE TABLE household_payments (
  id serial PRIMARY KEY,
  household_id integer NOT NULL REFERENCES households(id),
  disbursement_id integer NOT NULL REFERENCES disbursements(id),
  district_id integer NOT NULL REFERENCES districts(id),
  village_id integer NOT NULL REFERENCES villages(id),
  programme text NOT NULL
    CHECK (programme IN ('housing', 'dividend', 'education', 'health', 'microcredit', 'employment', 'other')),
  period text NOT NULL,
  year integer NOT NULL,
  amount numeric(14,2) NOT NULL CHECK (amount > 0),
  paid_on date,
  state text NOT NULL DEFAULT 'paid' CHECK (state IN ('paid', 'pending', 'returned')),
  return_reason text,
  method text NOT NULL DEFAULT '惠民惠农一卡通',
  batch_id integer REFERENCES household_payment_batches(id),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
  version integer NOT NULL DEFAULT 1,
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- A household is paid once per programme and period (withdrawn rows do not count).
CREATE UNIQUE INDEX household_payments_once_idx ON household_payments (household_id, programme, period)
  WHERE status = 'active';
CREATE INDEX household_payments_disbursement_idx ON household_payments (disbursement_id) INCLUDE (amount)
  WHERE status = 'active';
CREATE INDEX household_payments_village_idx ON household_payments (village_id, year, programme) INCLUDE (amount)
  WHERE status = 'active';
CREATE INDEX household_payments_district_idx ON household_payments (district_id, year) INCLUDE (amount)
  WHERE status = 'active';
CREATE INDEX household_payments_batch_idx ON household_payments (batch_id);

-- 危房改造: one case per household and year.
CREATE TABLE housing_cases (
  id serial PRIMARY KEY,
  household_id integer NOT NULL REFERENCES households(id),
  district_id integer NOT NULL REFERENCES districts(id),
  village_id integer NOT NULL REFERENCES villages(id),
  year integer NOT NULL,
  grade text NOT NULL CHECK (grade IN ('C', 'D')),
  method text NOT NULL CHECK (method IN ('repair', 'rebuild', 'new', 'replace')),
  subsidy_standard text NOT NULL DEFAULT '',
  amount numeric(14,2) NOT NULL CHECK (amount >= 0),
  stage text NOT NULL DEFAULT 'applied'
    CHECK (stage IN ('applied', 'village_review', 'town_review', 'county_approval', 'started', 'completed', 'accepted', 'paid')),
  -- the date each stage was reached, by stage code
  stage_dates jsonb NOT NULL DEFAULT '{}',
  review_notice_id integer REFERENCES notices(id),
  approval_notice_id integer REFERENCES notices(id),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
  version integer NOT NULL DEFAULT 1,
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT housing_cases_once UNIQUE (household_id, year)
);
CREATE INDEX housing_cases_village_idx ON housing_cases (village_id);

-- 公示名单: a notice that carries a list of households (识别 / 退出 / 危房改造 / 分红).
CREATE TABLE beneficiary_lists (
  id serial PRIMARY KEY,
  notice_id integer NOT NULL UNIQUE REFERENCES notices(id),
  kind text NOT NULL CHECK (kind IN ('identify', 'exit', 'housing', 'dividend')),
  village_id integer NOT NULL REFERENCES villages(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE beneficiary_list_entries (
  list_id integer NOT NULL REFERENCES beneficiary_lists(id) ON DELETE CASCADE,
  household_id integer NOT NULL REFERENCES households(id),
  amount numeric(14,2),
  note text NOT NULL DEFAULT '',
  PRIMARY KEY (list_id, household_id)
);

-- Public version history of every record above (the first version included): a snapshot of the
-- public fields (never sealed data), the kind and the reason.
CREATE TABLE money_versions (
  id bigserial PRIMARY KEY,
  subject_type text NOT NULL
    CHECK (subject_type IN ('disbursement', 'spending', 'household', 'household_payment', 'housing_case')),
  subject_id integer NOT NULL,
  version integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('original', 'correction', 'withdrawal')),
  snapshot jsonb NOT NULL,
  reason text,
  created_by integer REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT money_versions_key UNIQUE (subject_type, subject_id, version)
);
CREATE INDEX money_versions_created_idx ON money_versions (created_at DESC, id DESC);

-- The one automatic ledger entry per stuck allocation (created once; the unique key makes it so).
CREATE TABLE stuck_money_entries (
  allocation_id integer PRIMARY KEY REFERENCES fund_allocations(id),
  ledger_entry_id integer NOT NULL REFERENCES ledger_entries(id),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- "没收到这笔钱": the hotline ticket a household filed about one payment.
CREATE TABLE payment_reports (
  ticket_id integer PRIMARY KEY REFERENCES tickets(id),
  payment_id integer NOT NULL REFERENCES household_payments(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_reports_payment_idx ON payment_reports (payment_id);

-- 查询本人补贴 lookups counted per day and outcome (never the number looked up).
CREATE TABLE payment_check_counts (
  day date NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('found', 'not_found', 'throttled')),
  n bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, outcome)
);

-- The village page reads tickets, notices and projects by village.
CREATE INDEX IF NOT EXISTS tickets_village_idx ON tickets (village_id) WHERE village_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS notices_village_idx ON notices (village_id) WHERE village_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS projects_village_idx ON projects (village_id) WHERE village_id IS NOT NULL;
