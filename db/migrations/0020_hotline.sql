-- The 12317 hotline: tickets (public number from a sequence, every deadline stored), encrypted reporter
-- identity, public/internal timeline, reporter <-> handler messages, ratings, wrong-receipt counters.
CREATE SEQUENCE ticket_number_seq;

CREATE TABLE tickets (
  id serial PRIMARY KEY,
  number text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('report', 'complaint', 'opinion', 'inquiry', 'objection')),
  category_code text NOT NULL REFERENCES categories(code),
  title text NOT NULL,
  description text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 4000),
  district_id integer NOT NULL REFERENCES districts(id),
  town_id integer REFERENCES towns(id),
  village_id integer REFERENCES villages(id),
  notice_id integer,
  subject_unit_id integer REFERENCES units(id),
  subject_unit_text text,
  subject_person text,
  subject_post text,
  channel text NOT NULL CHECK (channel IN ('web', 'api', 'open311', 'phone', 'letter', 'visit', 'media')),
  status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'accepted', 'not_accepted', 'dispatched',
    'returned', 'handling', 'replied', 'rated', 'reopened', 'review_requested', 'closed', 'merged')),
  tier text NOT NULL CHECK (tier IN ('I', 'II', 'III', 'IV')),
  tier_reason text NOT NULL,
  handling_level text NOT NULL CHECK (handling_level IN ('city', 'district')),
  routed_unit_id integer NOT NULL REFERENCES units(id),
  supervising_unit_id integer NOT NULL REFERENCES units(id),
  supervising_level text NOT NULL CHECK (supervising_level IN ('city', 'district')),
  routing_reason text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  accept_due_on date NOT NULL,
  first_response_due_at timestamptz,
  handle_due_on date NOT NULL,
  return_due_on date,
  review_due_on date,
  extended_days integer NOT NULL DEFAULT 0 CHECK (extended_days BETWEEN 0 AND 30),
  extension_reason text,
  accepted_at timestamptz,
  dispatched_at timestamptz,
  replied_at timestamptz,
  closed_at timestamptz,
  reply_summary text,
  rating text CHECK (rating IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
  rated_at timestamptz,
  merged_into_id integer REFERENCES tickets(id),
  reporter_anonymous boolean NOT NULL,
  receipt_hash text NOT NULL,
  idempotency_key_hash text,
  body_hash text NOT NULL,
  operator_id integer REFERENCES users(id),
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tickets_idempotency_key_hash_key ON tickets (idempotency_key_hash);
CREATE INDEX tickets_status_idx ON tickets (status);
CREATE INDEX tickets_routed_unit_idx ON tickets (routed_unit_id, status);
CREATE INDEX tickets_district_idx ON tickets (district_id);
CREATE INDEX tickets_notice_idx ON tickets (notice_id) WHERE notice_id IS NOT NULL;

-- Objections point at notices (the notices table of migration 0010); the FK is added when that table exists.
DO $$ BEGIN
  IF to_regclass('notices') IS NOT NULL THEN
    ALTER TABLE tickets ADD CONSTRAINT tickets_notice_id_fkey FOREIGN KEY (notice_id) REFERENCES notices(id);
  END IF;
END $$;

CREATE TABLE ticket_reporters (
  ticket_id integer PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
  key_id text NOT NULL,
  identity_enc text NOT NULL,
  contact_allowed boolean NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ticket_events (
  id bigserial PRIMARY KEY,
  ticket_id integer NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  action text NOT NULL,
  from_status text,
  to_status text NOT NULL,
  visibility text NOT NULL CHECK (visibility IN ('public', 'internal')),
  actor_kind text NOT NULL CHECK (actor_kind IN ('system', 'staff', 'reporter')),
  actor_user_id integer REFERENCES users(id),
  unit_id integer REFERENCES units(id),
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, id);

CREATE TABLE ticket_messages (
  id bigserial PRIMARY KEY,
  ticket_id integer NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  author text NOT NULL CHECK (author IN ('reporter', 'handler')),
  author_user_id integer REFERENCES users(id),
  body text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 4000),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_messages_ticket_idx ON ticket_messages (ticket_id, id);

CREATE TABLE ticket_ratings (
  id serial PRIMARY KEY,
  ticket_id integer NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  rating text NOT NULL CHECK (rating IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
  comment text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_ratings_ticket_idx ON ticket_ratings (ticket_id);

CREATE TABLE receipt_attempts (
  scope text PRIMARY KEY,
  failures integer NOT NULL,
  window_started_at timestamptz NOT NULL
);
