-- A payment import writes its batch row first and fills in the row count and total when every row is
-- in: the batch's log entry is taken at commit (a deferred constraint trigger re-reads the row then),
-- still inside the import's transaction, so it holds the final figures.
DROP TRIGGER household_payment_batches_logged ON household_payment_batches;

CREATE FUNCTION log_payment_batch_pending_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO log_pending (record, ref)
    SELECT log_payment_batch_record(b, NULL), 'household_payment.batch:' || b.id
      FROM household_payment_batches b WHERE b.id = NEW.id;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER household_payment_batches_logged AFTER INSERT ON household_payment_batches
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION log_payment_batch_pending_at_commit();
