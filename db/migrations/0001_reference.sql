-- Reference data: districts, towns, villages, units, categories (routing table), users, calendar.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE districts (
  id serial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('district', 'county', 'zone')),
  is_key boolean NOT NULL DEFAULT false,
  sort integer NOT NULL DEFAULT 0
);

CREATE TABLE towns (
  id serial PRIMARY KEY,
  district_id integer NOT NULL REFERENCES districts(id),
  name text NOT NULL,
  is_key_town boolean NOT NULL DEFAULT false,
  is_demo boolean NOT NULL DEFAULT false,
  CONSTRAINT towns_district_name_key UNIQUE (district_id, name)
);

CREATE TABLE villages (
  id serial PRIMARY KEY,
  town_id integer NOT NULL REFERENCES towns(id),
  name text NOT NULL,
  is_provincial_key boolean NOT NULL DEFAULT false,
  is_weak boolean NOT NULL DEFAULT false,
  deep_poverty_area text CHECK (deep_poverty_area IN ('南部山区', '太河库区', '黄河滩区')),
  is_demo boolean NOT NULL DEFAULT false,
  CONSTRAINT villages_town_name_key UNIQUE (town_id, name)
);

CREATE TABLE units (
  id serial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('department', 'poverty_office', 'discipline', 'hotline', 'town_office')),
  level text NOT NULL CHECK (level IN ('city', 'district', 'town')),
  district_id integer REFERENCES districts(id),
  town_id integer REFERENCES towns(id)
);
CREATE INDEX units_district_idx ON units (district_id);

CREATE TABLE categories (
  code text PRIMARY KEY,
  name text NOT NULL UNIQUE,
  lead_unit_code text NOT NULL REFERENCES units(code),
  co_units text[] NOT NULL DEFAULT '{}',
  sort integer NOT NULL DEFAULT 0
);

CREATE TABLE users (
  id serial PRIMARY KEY,
  username text NOT NULL UNIQUE,
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('operator', 'handler', 'supervisor', 'inspector', 'publisher', 'admin')),
  unit_id integer NOT NULL REFERENCES units(id),
  password_hash text,
  active boolean NOT NULL DEFAULT true,
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE calendar_days (
  day date PRIMARY KEY,
  is_off_day boolean NOT NULL,
  name text NOT NULL
);
