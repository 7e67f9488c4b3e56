-- The yearly income (收益) of a completed project's asset and how it was distributed, as sums: paid out
-- to households as dividends (分红到户), kept by the village collective (村集体留存), spent on upkeep
-- (管护费用) and anything else (其他). One row per asset and year; a correction rewrites the row and
-- bumps its version, and the earlier figures stay public in money_versions with the reason.
CREATE TABLE asset_income (
  id serial PRIMARY KEY,
  asset_id integer NOT NULL REFERENCES project_assets(id) ON DELETE CASCADE,
  year integer NOT NULL CHECK (year BETWEEN 2014 AND 2100),
  income numeric(14,2) NOT NULL CHECK (income >= 0),
  to_households numeric(14,2) NOT NULL DEFAULT 0 CHECK (to_households >= 0),
  to_collective numeric(14,2) NOT NULL DEFAULT 0 CHECK (to_collective >= 0),
  to_maintenance numeric(14,2) NOT NULL DEFAULT 0 CHECK (to_maintenance >= 0),
  to_other numeric(14,2) NOT NULL DEFAULT 0 CHECK (to_other >= 0),
  note text NOT NULL DEFAULT '',
  version integer NOT NULL DEFAULT 1,
  created_by integer REFERENCES users(id),
  updated_by integer REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT asset_income_year_key UNIQUE (asset_id, year),
  CONSTRAINT asset_income_distribution_le_income
    CHECK (to_households + to_collective + to_maintenance + to_other <= income)
);
CREATE INDEX asset_income_updated_idx ON asset_income (updated_at DESC, id DESC);

-- Its versions are public like the rest of the money trail's.
ALTER TABLE money_versions DROP CONSTRAINT money_versions_subject_type_check;
ALTER TABLE money_versions ADD CONSTRAINT money_versions_subject_type_check
  CHECK (subject_type IN ('disbursement', 'spending', 'household', 'household_payment', 'housing_case', 'asset_income'));
