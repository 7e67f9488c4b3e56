-- The received-time index that GET /open311/v2/requests lists by (newest first) was added to 0029
-- after that file had been applied in some databases; this brings those databases into line.
CREATE INDEX IF NOT EXISTS tickets_received_at_idx ON tickets (received_at DESC, id DESC);
