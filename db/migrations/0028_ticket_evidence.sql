-- Evidence files attached to tickets. The files live under DATA_DIR/evidence (random names, outside
-- the web root); this table is the only way to find them.
CREATE TABLE ticket_evidence (
  id serial PRIMARY KEY,
  ticket_id integer NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  storage_name text NOT NULL UNIQUE,
  media_type text NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
  byte_size integer NOT NULL CHECK (byte_size > 0),
  sha256 text NOT NULL,
  width integer,
  height integer,
  -- filing: sent with the ticket; reporter: added later with the receipt
  source text NOT NULL CHECK (source IN ('filing', 'reporter')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_evidence_ticket_idx ON ticket_evidence (ticket_id, id);
