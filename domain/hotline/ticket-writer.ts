import { sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { type Db, rows } from "../../db/client";
import { coalesce } from "../../lib/coalesce";
import { isDatabaseUnavailable } from "../../lib/errors";

// Writes new tickets: the ticket, the reporter's sealed identity, the first two timeline events and the
// filing's pending transparency-log entry (domain/transparency), in ONE statement for any number of tickets (so a 201 means committed, and nothing is half-written).
// Filings outside a transaction are group-committed: those arriving while earlier ones are still at
// the database go together in the next statement (lib/coalesce.ts), so the database does one parse,
// one round trip and one commit for several tickets. A batch that fails is retried ticket by ticket so
// each filing gets its own outcome; an unreachable database fails them all (503).

/** One ticket, ready to store: every value decided by the domain, nothing left to compute but its number. */
export interface NewTicketRow {
  year: string;
  kind: string;
  category_code: string;
  title: string;
  description: string;
  district_id: number;
  town_id: number | null;
  village_id: number | null;
  notice_id: number | null;
  subject_unit_id: number | null;
  subject_unit_text: string | null;
  subject_person: string | null;
  subject_post: string | null;
  channel: string;
  tier: string;
  tier_reason: string;
  handling_level: string;
  routed_unit_id: number;
  supervising_unit_id: number;
  supervising_level: string;
  routing_reason: string;
  received_at: string;
  accept_due_on: string;
  first_response_due_at: string | null;
  handle_due_on: string;
  receipt_hash: string;
  idempotency_key_hash: string | null;
  body_hash: string;
  operator_id: number | null;
  is_demo: boolean;
  /** The sealed identity of a real-name reporter; null when anonymous. */
  reporter: { key_id: string; identity_enc: string; contact_allowed: boolean } | null;
  /** The filing's transparency-log entry, with '"ticket":""' where the number goes, and its commitment salt. */
  log_entry: string;
  log_secret: string;
  actor_kind: "staff" | "reporter";
  route_note: string;
}

export interface InsertedTicket {
  id: number;
  number: string;
  status: string;
}

/** The new ticket, or null when its idempotency key was already used (nothing written). */
export function insertTicket(db: Db, row: NewTicketRow): Promise<InsertedTicket | null> {
  const inTransaction = (db as unknown) instanceof PgTransaction;
  if (inTransaction) return insertTickets(db, [row]).then(([r]) => r);
  let submit = writers.get(db);
  if (!submit) {
    submit = coalesce((batch: NewTicketRow[]) => runBatch(db, batch), {
      maxInFlight: 2,
      maxBatch: 64,
      keyOf: (r) => r.idempotency_key_hash,
    });
    writers.set(db, submit);
  }
  return submit(row);
}

const writers = new WeakMap<Db, (row: NewTicketRow) => Promise<InsertedTicket | null>>();

async function runBatch(db: Db, batch: NewTicketRow[]): Promise<(InsertedTicket | null | Error)[]> {
  try {
    return await insertTickets(db, batch);
  } catch (err) {
    if (batch.length === 1 || isDatabaseUnavailable(err)) throw err;
  }
  // One bad row (a constraint it breaks) must not fail the others: each on its own.
  return Promise.all(
    batch.map((row) =>
      insertTickets(db, [row]).then(
        ([r]) => r,
        (err: Error) => err,
      ),
    ),
  );
}

async function insertTickets(db: Db, batch: NewTicketRow[]): Promise<(InsertedTicket | null)[]> {
  const input = batch.map((r, ord) => ({ ...r, ord, reporter: undefined, ...r.reporter }));
  const inserted = await quiet(
    rows<InsertedTicket & { receipt_hash: string }>(
      db,
      sql`WITH i AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS x(
          ord int, year text, kind text, category_code text, title text, description text, district_id int,
          town_id int, village_id int, notice_id int, subject_unit_id int, subject_unit_text text,
          subject_person text, subject_post text, channel text, tier text, tier_reason text, handling_level text,
          routed_unit_id int, supervising_unit_id int, supervising_level text, routing_reason text,
          received_at timestamptz, accept_due_on date, first_response_due_at timestamptz, handle_due_on date,
          receipt_hash text, idempotency_key_hash text, body_hash text, operator_id int, is_demo boolean,
          key_id text, identity_enc text, contact_allowed boolean, actor_kind text, route_note text,
          log_entry text, log_secret text)
      ), t AS (
        INSERT INTO tickets (number, kind, category_code, title, description, district_id, town_id, village_id,
          notice_id, subject_unit_id, subject_unit_text, subject_person, subject_post, channel, status, tier,
          tier_reason, handling_level, routed_unit_id, supervising_unit_id, supervising_level, routing_reason,
          received_at, accept_due_on, first_response_due_at, handle_due_on, reporter_anonymous, receipt_hash,
          idempotency_key_hash, body_hash, operator_id, is_demo, created_at, updated_at)
        SELECT 'ZB-' || year || '-' || lpad(n::text, greatest(6, length(n::text)), '0'), kind, category_code,
          title, description, district_id, town_id, village_id, notice_id, subject_unit_id, subject_unit_text,
          subject_person, subject_post, channel, 'received', tier, tier_reason, handling_level, routed_unit_id,
          supervising_unit_id, supervising_level, routing_reason, received_at, accept_due_on,
          first_response_due_at, handle_due_on, identity_enc IS NULL, receipt_hash, idempotency_key_hash,
          body_hash, operator_id, is_demo, received_at, received_at
        FROM (SELECT i.*, nextval('ticket_number_seq') AS n FROM i ORDER BY ord) s
        ON CONFLICT (idempotency_key_hash) DO NOTHING
        RETURNING id, number, status, receipt_hash
      ), r AS (
        INSERT INTO ticket_reporters (ticket_id, key_id, identity_enc, contact_allowed)
        SELECT t.id, i.key_id, i.identity_enc, i.contact_allowed FROM t JOIN i USING (receipt_hash)
        WHERE i.identity_enc IS NOT NULL
      ), e AS (
        INSERT INTO ticket_events (ticket_id, action, from_status, to_status, visibility, actor_kind,
          actor_user_id, unit_id, note, created_at)
        SELECT t.id, 'file', NULL, 'received', 'public', i.actor_kind, i.operator_id, NULL, '已收到，等待受理',
          i.received_at FROM t JOIN i USING (receipt_hash)
        UNION ALL
        SELECT t.id, 'route', NULL, 'received', 'internal', 'system', NULL, i.routed_unit_id, i.route_note,
          i.received_at FROM t JOIN i USING (receipt_hash)
      ), l AS (
        INSERT INTO log_pending (entry, ref, secret)
        SELECT replace(i.log_entry, '"ticket":""', '"ticket":"' || t.number || '"'), 'ticket.filed:' || t.number,
          i.log_secret FROM t JOIN i USING (receipt_hash)
      )
      SELECT id, number, status, receipt_hash FROM t`,
    ),
  );
  // A receipt hash is unique per filing (random, or derived from its idempotency key, and a batch never
  // holds one key twice), so it ties each returned row to its input.
  const byReceipt = new Map(inserted.map((r) => [r.receipt_hash, r]));
  return batch.map((r) => {
    const row = byReceipt.get(r.receipt_hash);
    return row ? { id: row.id, number: row.number, status: row.status } : null;
  });
}

/**
 * A failed statement's error carries its parameters (the reporters' text); rethrow without them, keeping
 * the driver's code so an unreachable database is still recognised (503) and the SQLSTATE is logged.
 */
async function quiet<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    let e = err as { code?: string; cause?: unknown; message?: string } | undefined;
    for (let i = 0; e && !e.code && i < 5; i++) e = e.cause as typeof e;
    const code = e?.code;
    throw Object.assign(new Error(`ticket insert failed (${code ?? "no code"})`), {
      code,
      cause: code ? { code } : undefined,
    });
  }
}
