-- Casework (staff console): the queue's urgency key, its indexes, escalation marks, the sweep's memory.

-- The date the ticket's current deadline falls on: acceptance while received, else handling.
ALTER TABLE tickets ADD COLUMN due_on date GENERATED ALWAYS AS (
  CASE WHEN status = 'received' THEN accept_due_on ELSE handle_due_on END
) STORED;
-- 督办: set when the sweep (or a supervisor) escalates the ticket; cleared never (history is in events).
ALTER TABLE tickets ADD COLUMN escalated_at timestamptz;

CREATE INDEX tickets_open_due_idx ON tickets (due_on, tier, id)
  WHERE status NOT IN ('not_accepted', 'closed', 'merged');
CREATE INDEX tickets_open_district_due_idx ON tickets (district_id, due_on, tier, id)
  WHERE status NOT IN ('not_accepted', 'closed', 'merged');
CREATE INDEX tickets_open_unit_due_idx ON tickets (routed_unit_id, due_on, tier, id)
  WHERE status NOT IN ('not_accepted', 'closed', 'merged');
CREATE INDEX tickets_operator_idx ON tickets (operator_id, id) WHERE operator_id IS NOT NULL;
CREATE INDEX tickets_title_trgm_idx ON tickets USING gin (title gin_trgm_ops);

-- One row per reminder/escalation the sweep has done: (ticket, kind, deadline) happens once.
CREATE TABLE ticket_sweep_marks (
  ticket_id integer NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('remind', 'escalate', 'first_response')),
  due_on date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ticket_id, kind, due_on)
);
