-- The problem ledger (台账 · 整改销号, founding document §22): a verified problem (from a ticket, an
-- audit or an inspection) gets a responsible unit, measures, a deadline, rectification evidence and a
-- sign-off by the supervising level; it is reopened when a later ticket shows the problem back.
CREATE SEQUENCE ledger_number_seq;

CREATE TABLE ledger_entries (
  id serial PRIMARY KEY,
  number text NOT NULL UNIQUE,
  source text NOT NULL CHECK (source IN ('ticket', 'audit', 'inspection')),
  ticket_id integer REFERENCES tickets(id),
  responsible_unit_id integer NOT NULL REFERENCES units(id),
  level text NOT NULL CHECK (level IN ('city', 'district', 'town')),
  district_id integer REFERENCES districts(id),
  category_code text REFERENCES categories(code),
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  description text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 4000),
  measures text NOT NULL CHECK (char_length(measures) BETWEEN 1 AND 4000),
  deadline date NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'rectifying', 'signed_off', 'reopened')),
  created_by integer REFERENCES users(id),
  signed_off_by integer REFERENCES users(id),
  signed_off_at timestamptz,
  sign_off_note text,
  reopened_count integer NOT NULL DEFAULT 0,
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (source <> 'ticket' OR ticket_id IS NOT NULL)
);
CREATE INDEX ledger_entries_unit_idx ON ledger_entries (responsible_unit_id, status);
CREATE INDEX ledger_entries_deadline_idx ON ledger_entries (deadline);
CREATE INDEX ledger_entries_ticket_idx ON ledger_entries (ticket_id) WHERE ticket_id IS NOT NULL;

-- Rectification evidence: text and optional attachment references (file names, archive links).
CREATE TABLE ledger_evidence (
  id serial PRIMARY KEY,
  entry_id integer NOT NULL REFERENCES ledger_entries(id) ON DELETE CASCADE,
  body text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 4000),
  attachments jsonb NOT NULL DEFAULT '[]',
  added_by integer REFERENCES users(id),
  unit_id integer REFERENCES units(id),
  -- Evidence given before a reopen stays on record but no longer counts for the next sign-off.
  round integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_evidence_entry_idx ON ledger_evidence (entry_id, id);

-- The entry's history (created, evidence, signed off, reopened by ticket …) and the tickets that
-- showed the problem back.
CREATE TABLE ledger_events (
  id serial PRIMARY KEY,
  entry_id integer NOT NULL REFERENCES ledger_entries(id) ON DELETE CASCADE,
  action text NOT NULL,
  from_status text,
  to_status text NOT NULL,
  actor_id integer REFERENCES users(id),
  ticket_id integer REFERENCES tickets(id),
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_events_entry_idx ON ledger_events (entry_id, id);
