-- Before/after photos of a 危房改造 case. The image itself is re-encoded without metadata into the file
-- store (archive/housing/<image_key>/<width>.<ext>); this row says which case and phase it shows.
CREATE TABLE housing_case_photos (
  id serial PRIMARY KEY,
  case_id integer NOT NULL REFERENCES housing_cases(id),
  phase text NOT NULL CHECK (phase IN ('before', 'after')),
  image_key text NOT NULL,
  width integer NOT NULL,
  height integer NOT NULL,
  sizes integer[] NOT NULL,
  created_by integer REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX housing_case_photos_case_idx ON housing_case_photos (case_id);
