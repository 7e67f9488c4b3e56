-- Per-client counters of public submissions (tickets filed, files uploaded) in fixed time windows,
-- shared by every server process. The client is stored only as an HMAC of its address. Rows of past
-- windows are deleted as new ones are written.
CREATE TABLE submission_counters (
  scope text NOT NULL,
  window_start timestamptz NOT NULL,
  hits integer NOT NULL,
  PRIMARY KEY (scope, window_start)
);
CREATE INDEX submission_counters_window_idx ON submission_counters (window_start);
