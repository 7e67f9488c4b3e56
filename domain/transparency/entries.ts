import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { canonicalJson } from "../../lib/canonical-json";
import { toHex } from "../../lib/tlog/bytes";
import { commitmentMessage, type TicketContent } from "../../lib/tlog/leaf-format";
import { sha256 } from "../../lib/tlog/merkle";

// Building log entries (leaf encoding: docs/transparency-log.md) and adding them as pending entries in
// the caller's transaction, next to the change they record.

/** Placeholder for the ticket number inside a filing entry; the filing statement puts the number in. */
export const TICKET_NUMBER_SLOT = '"ticket":""';

export interface FilingEntry {
  /** JCS entry text with TICKET_NUMBER_SLOT where the number goes. */
  template: string;
  /** hex 256-bit salt of the content commitment. */
  salt: string;
}

/** The filing entry of a ticket whose number the database is about to assign. */
export function ticketFilingEntry(input: {
  receivedAt: Date;
  kind: string;
  category: string;
  district: string;
  content: TicketContent;
}): FilingEntry {
  const salt = randomBytes(32);
  const commitment = toHex(sha256(commitmentMessage(input.content, salt)));
  const template = canonicalJson({
    v: 1,
    type: "ticket.filed",
    ticket: "",
    time: input.receivedAt.toISOString(),
    kind: input.kind,
    category: input.category,
    district: input.district,
    commitment,
  });
  return { template, salt: toHex(salt) };
}

/** The ref under which a ticket's filing entry is found. */
export const filingRef = (number: string) => `ticket.filed:${number}`;

/**
 * A published version of a record: its id, version, time and the SHA-256 of the JCS of its public JSON.
 * `type` names the record kind, e.g. "fund.version", "notice.version", "disbursement.version". A version
 * published before the log existed carries `loggedLate`, the time it was logged.
 */
export function recordVersionEntry(
  type: string,
  id: string,
  version: number,
  time: Date,
  publicJson: unknown,
  loggedLate?: Date,
) {
  return canonicalJson({
    v: 1,
    type,
    id,
    version,
    time: time.toISOString(),
    sha256: toHex(sha256(new TextEncoder().encode(canonicalJson(publicJson)))),
    ...(loggedLate ? { loggedLate: loggedLate.toISOString() } : {}),
  });
}

/** The material of a record-version entry that a database trigger wrote (migration 0200). */
export interface PendingRecord {
  type: string;
  id: string;
  version: number;
  time: string;
  public: unknown;
  loggedLate?: string;
}

/** Encode a trigger-written pending record as its entry (the sequencer does this when appending it). */
export function entryFromRecord(r: PendingRecord): string {
  const late = r.loggedLate ? new Date(r.loggedLate) : undefined;
  return recordVersionEntry(r.type, r.id, r.version, new Date(r.time), r.public, late);
}

/** Add a record version as a pending entry in the caller's transaction. */
export async function appendRecordVersion(
  tx: Db,
  v: { type: string; id: string; version: number; time: Date; publicJson: unknown },
) {
  await appendPending(tx, recordVersionEntry(v.type, v.id, v.version, v.time, v.publicJson), `${v.type}:${v.id}`);
}

/** Add pending entries in one statement inside the caller's transaction. */
export async function appendPendingMany(tx: Db, items: { entry: string; ref: string }[]) {
  if (items.length === 0) return;
  await tx.execute(sql`INSERT INTO log_pending (entry, ref)
    SELECT entry, ref FROM jsonb_to_recordset(${JSON.stringify(items)}::jsonb) AS x(entry text, ref text)`);
}

/** Add a pending entry inside the caller's transaction (the change and its entry commit together). */
export async function appendPending(tx: Db, entry: string, ref: string, secret: string | null = null) {
  await tx.execute(sql`INSERT INTO log_pending (entry, ref, secret) VALUES (${entry}, ${ref}, ${secret})`);
}

/**
 * A ticket transition a citizen relies on (受理, 派单, 退单, 答复, 延期, 办结, 重办, 复核, merge): the
 * ticket number, the transition, the time and the acting unit's code — never the person.
 */
export async function appendTicketTransition(
  tx: Db,
  t: { number: string; action: string; from: string; to: string; unitId: number | null; time: Date },
) {
  const [unit] = t.unitId ? await rows<{ code: string }>(tx, sql`SELECT code FROM units WHERE id = ${t.unitId}`) : [];
  const entry = canonicalJson({
    v: 1,
    type: "ticket.transition",
    ticket: t.number,
    action: t.action,
    from: t.from,
    to: t.to,
    unit: unit?.code ?? null,
    time: t.time.toISOString(),
  });
  await appendPending(tx, entry, `ticket.transition:${t.number}`);
}

/** Entry type of a published fund allocation version; its sha256 is over the JCS of the version as GET /api/funds/{id} shows it. */
export const FUND_VERSION_ENTRY = "fund.version";
/** A published notice version (publish, amendment, withdrawal), as GET /api/notices/{id} lists it in `versions`. */
export const NOTICE_VERSION_ENTRY = "notice.version";
/** A ledger sign-off (销号), over the sign-off record of the ledger entry (ledgerSignOffRecord). */
export const LEDGER_SIGN_OFF_ENTRY = "ledger.sign_off";
