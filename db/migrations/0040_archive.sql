-- Campaign archive (issue #8): policy documents, yearbook chapters, the 我眼中的脱贫攻坚 image
-- collection (public submissions + moderation) and the honour roll 群英谱.

CREATE TABLE policies (
  id serial PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
  title text NOT NULL,
  issuer text NOT NULL,
  doc_number text,
  issued_on date NOT NULL,
  -- markdown: staff-entered Markdown (rendered sanitised); structured: the founding document's
  -- cleaned plain text (sections 一、二、三…, measures 1–26, lead units in parentheses).
  format text NOT NULL DEFAULT 'markdown' CHECK (format IN ('markdown', 'structured')),
  body text NOT NULL,
  sort integer NOT NULL DEFAULT 0,
  is_demo boolean NOT NULL DEFAULT false,
  created_by integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX policies_order_idx ON policies (sort, issued_on DESC, id);

CREATE TABLE yearbook_chapters (
  id serial PRIMARY KEY,
  year integer NOT NULL CHECK (year BETWEEN 2018 AND 2021),
  position integer NOT NULL CHECK (position >= 1),
  title text NOT NULL,
  body text NOT NULL,
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT yearbook_chapters_year_position_key UNIQUE (year, position)
);

CREATE TABLE archive_items (
  id serial PRIMARY KEY,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  place text NOT NULL,
  district_id integer REFERENCES districts(id),
  taken_on date,
  creator text NOT NULL,
  subjects text[] NOT NULL DEFAULT '{}',
  rights text NOT NULL,
  consent_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
  reject_reason text,
  reviewed_at timestamptz,
  reviewed_by integer,
  -- Directory under DATA_DIR/archive/photos holding the resized renditions (never the original).
  file_key text NOT NULL UNIQUE,
  width integer NOT NULL,
  height integer NOT NULL,
  sizes integer[] NOT NULL,
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT archive_items_reject_reason CHECK (status <> 'rejected' OR reject_reason IS NOT NULL)
);
CREATE INDEX archive_items_status_idx ON archive_items (status, id DESC);

CREATE TABLE honors (
  id serial PRIMARY KEY,
  year integer NOT NULL CHECK (year BETWEEN 2018 AND 2021),
  kind text NOT NULL CHECK (kind IN ('collective', 'individual')),
  name text NOT NULL,
  unit text NOT NULL,
  district_id integer NOT NULL REFERENCES districts(id),
  citation text NOT NULL,
  photo_key text,
  photo_width integer,
  photo_height integer,
  photo_sizes integer[],
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX honors_browse_idx ON honors (year DESC, kind, district_id);
