-- The public transparency log (C2SP tlog-tiles). A change that the public relies on writes a pending
-- entry in its own transaction; the sequencer moves pending entries, in id order, into the log with
-- consecutive indexes, stores the Merkle tree as tiles and signs a checkpoint. Entries, tiles and
-- checkpoints are append-only: UPDATE and DELETE are refused by trigger for every role.

CREATE TABLE log_pending (
  id bigserial PRIMARY KEY,
  -- The entry exactly as it will be logged: UTF-8 JCS JSON (see docs/transparency-log.md).
  entry text NOT NULL CHECK (octet_length(entry) BETWEEN 1 AND 65535),
  -- What the entry records, to find it again: e.g. 'ticket.filed:ZB-2026-000123'.
  ref text NOT NULL,
  -- hex salt of a content commitment (ticket filings); never served by the log.
  secret text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX log_pending_ref ON log_pending (ref);

CREATE TABLE log_entries (
  idx bigint PRIMARY KEY CHECK (idx >= 0),
  entry text NOT NULL CHECK (octet_length(entry) BETWEEN 1 AND 65535),
  ref text NOT NULL,
  secret text,
  -- The pending entry it came from: a pending entry is appended once, whatever retries happen.
  pending_id bigint NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  sequenced_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX log_entries_ref ON log_entries (ref);

-- Tiles as served: a full tile (width 256) and the partial tiles of every signed tree size.
CREATE TABLE log_tiles (
  level smallint NOT NULL CHECK (level BETWEEN 0 AND 63),
  n bigint NOT NULL CHECK (n >= 0),
  width smallint NOT NULL CHECK (width BETWEEN 1 AND 256),
  data bytea NOT NULL CHECK (octet_length(data) = 32 * width),
  PRIMARY KEY (level, n, width)
);

CREATE TABLE log_checkpoints (
  size bigint PRIMARY KEY CHECK (size >= 0),
  root bytea NOT NULL CHECK (octet_length(root) = 32),
  -- The signed note (checkpoint text and the log's signature line).
  note text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the transparency log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER log_entries_append_only BEFORE UPDATE OR DELETE ON log_entries
  FOR EACH ROW EXECUTE FUNCTION log_refuse_change();
CREATE TRIGGER log_tiles_append_only BEFORE UPDATE OR DELETE ON log_tiles
  FOR EACH ROW EXECUTE FUNCTION log_refuse_change();
CREATE TRIGGER log_checkpoints_append_only BEFORE UPDATE OR DELETE ON log_checkpoints
  FOR EACH ROW EXECUTE FUNCTION log_refuse_change();
