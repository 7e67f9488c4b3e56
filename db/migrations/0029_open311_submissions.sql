-- Which Open311 client application filed which ticket (to trace and stop abuse of a key).
CREATE TABLE open311_submissions (
  ticket_id integer PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
  client_id integer NOT NULL REFERENCES open311_clients(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX open311_submissions_client_idx ON open311_submissions (client_id, created_at);

-- GET /open311/v2/requests lists tickets by received time (newest first, a 90-day window, ≤ 1000).
CREATE INDEX IF NOT EXISTS tickets_received_at_idx ON tickets (received_at DESC, id DESC);
