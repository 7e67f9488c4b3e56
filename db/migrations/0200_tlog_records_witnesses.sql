-- The transparency log, continued: published money records logged by trigger, records published before
-- the log existed logged late, and witness cosignatures of checkpoints.

-- A pending entry is either the entry text itself or, for rows written by the triggers below, the
-- material of a record-version entry ({"type","id","version","time","public"[,"loggedLate"]}) that the
-- sequencer encodes (JCS, SHA-256 of the public JSON) when it appends it. Either way the pending row is
-- written in the transaction of the change.
ALTER TABLE log_pending ALTER COLUMN entry DROP NOT NULL;
ALTER TABLE log_pending ADD COLUMN record jsonb;
ALTER TABLE log_pending ADD CONSTRAINT log_pending_entry_or_record CHECK ((entry IS NULL) <> (record IS NULL));

-- ISO 8601 UTC with milliseconds, as JavaScript's Date.prototype.toISOString writes it.
CREATE FUNCTION log_iso_time(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- A disbursement version's public JSON is the version object GET /api/disbursements/{id} lists:
-- {version, kind, snapshot, reason, createdAt (Beijing time, minutes)}.
CREATE FUNCTION log_money_version_record(v money_versions, late text) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'type', 'disbursement.version', 'id', v.subject_id::text, 'version', v.version, 'time', log_iso_time(v.created_at),
    'public', jsonb_build_object(
      'version', v.version, 'kind', v.kind, 'snapshot', v.snapshot, 'reason', v.reason,
      'createdAt', to_char(v.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')))
    || CASE WHEN late IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('loggedLate', late) END
$$;

-- A household-payment batch's public JSON is the import's answer: {batchId, count, encoding, total}
-- (no household appears in it; single payments are not logged).
CREATE FUNCTION log_payment_batch_record(b household_payment_batches, late text) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'type', 'household_payment.batch', 'id', b.id::text, 'version', 1, 'time', log_iso_time(b.created_at),
    'public', jsonb_build_object('batchId', b.id, 'count', b.row_count, 'encoding', b.encoding, 'total', b.total::text))
    || CASE WHEN late IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('loggedLate', late) END
$$;

CREATE FUNCTION log_money_version_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO log_pending (record, ref)
    VALUES (log_money_version_record(NEW, NULL), 'disbursement.version:' || NEW.subject_id);
  RETURN NULL;
END
$$;
CREATE TRIGGER money_versions_logged AFTER INSERT ON money_versions
  FOR EACH ROW WHEN (NEW.subject_type = 'disbursement') EXECUTE FUNCTION log_money_version_pending();

CREATE FUNCTION log_payment_batch_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO log_pending (record, ref)
    VALUES (log_payment_batch_record(NEW, NULL), 'household_payment.batch:' || NEW.id);
  RETURN NULL;
END
$$;
CREATE TRIGGER household_payment_batches_logged AFTER INSERT ON household_payment_batches
  FOR EACH ROW EXECUTE FUNCTION log_payment_batch_pending();

-- Money records published before this migration: logged late, now, in version order.
INSERT INTO log_pending (record, ref)
  SELECT log_money_version_record(v, log_iso_time(now())), 'disbursement.version:' || v.subject_id
    FROM money_versions v WHERE v.subject_type = 'disbursement' ORDER BY v.created_at, v.id;
INSERT INTO log_pending (record, ref)
  SELECT log_payment_batch_record(b, log_iso_time(now())), 'household_payment.batch:' || b.id
    FROM household_payment_batches b ORDER BY b.id;

-- Kinds of records (fund versions, notice versions) whose earlier versions the sequencer has logged
-- late, once: the sequencer builds their public JSON, which SQL cannot.
CREATE TABLE log_backfills (
  kind text PRIMARY KEY,
  entries integer NOT NULL,
  done_at timestamptz NOT NULL DEFAULT now()
);

-- Witness cosignatures (tlog-cosignature) of the log's checkpoints, appended to /log/checkpoint.
CREATE TABLE log_cosignatures (
  size bigint NOT NULL REFERENCES log_checkpoints (size),
  -- The witness's verifier key (its name and key ID are in the signature line).
  witness text NOT NULL,
  -- The note signature line, ending in a newline.
  line text NOT NULL CHECK (line LIKE '— % %' AND right(line, 1) = E'\n'),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (size, witness)
);
CREATE TRIGGER log_cosignatures_append_only BEFORE UPDATE OR DELETE ON log_cosignatures
  FOR EACH ROW EXECUTE FUNCTION log_refuse_change();
