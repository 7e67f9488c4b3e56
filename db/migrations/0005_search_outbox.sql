-- Durable queue of search index changes (written in the content's transaction).
CREATE TABLE search_outbox (
  id bigserial PRIMARY KEY,
  doc_type text NOT NULL,
  doc_id text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX search_outbox_due_idx ON search_outbox (next_attempt_at, id);
