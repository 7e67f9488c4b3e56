-- 管护 inspections of a completed project's asset: when, by whom (a unit or post, public), what was found.
CREATE TABLE asset_inspections (
  id serial PRIMARY KEY,
  project_id integer NOT NULL REFERENCES projects(id),
  inspected_on date NOT NULL,
  inspector text NOT NULL,
  condition text NOT NULL CHECK (condition IN ('good', 'repair', 'idle')),
  findings text NOT NULL DEFAULT '',
  created_by integer REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX asset_inspections_project_idx ON asset_inspections (project_id, inspected_on);
