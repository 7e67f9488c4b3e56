import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { tickets } from "../../db/schema";
import type { SqlRow } from "../../db/sql-row";
import { hmacHex, sameDigest } from "../../lib/crypto";
import { AppError } from "../../lib/errors";
import { log } from "../../lib/log";
import { appendTicketTransition } from "../transparency/entries";
import { loadCalendar } from "./calendar";
import { chinaDate, reviewDeadline } from "./deadlines";
import { KIND_LABELS, type TicketKind } from "./input";
import { assertTransition, isTicketStatus, STATUS_LABELS, type TicketStatus } from "./lifecycle";
import { DUMMY_RECEIPT_HASH, hashReceipt, receiptMatches } from "./receipts";
import { normalizeTicketNumber } from "./ticket-number";
import { type PublicDeadlines, publicDeadlines, RATING_LABELS, type Rating } from "./views";

// Following a ticket with its number and receipt code (/track, GET /api/tickets/{number}), and what the
// reporter may do then: add information, rate the reply, ask for 重办 or 复核.
//
// A receipt has 100 random bits (receipts.ts): guessing one is hopeless, so a CORRECT receipt always
// works — nobody can lock a reporter out of their own ticket by failing on purpose. What is limited is
// failing: wrong receipts are counted IN THE DATABASE (receipt_attempts, so limits hold across processes
// and restarts) per client (HMAC of the client address from lib/client-address.ts); more than 30 within
// 15 minutes and that client's wrong tries get 429 until its window ends. Failures on one ticket are
// counted too (only those from clients still under their limit), and every 50th within the window logs
// a warning: many clients guessing at one number is an attack worth a look, but never a reason to lock
// the number.
//
// A wrong receipt and a ticket that does not exist give the same 404 after the same work: the ticket row
// is read either way, the HMAC is computed either way and compared in constant time against the stored
// hash or a dummy, and the failure is counted either way.

export const RECEIPT_WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_CLIENT = 30;
/** Failures on one ticket number (from clients under their limit) that log a distributed-guessing warning. */
export const GUESSING_ALERT_FAILURES = 50;

const NOT_FOUND_MESSAGE = "工单编号或查询码不正确";

export interface Client {
  /** Client address (or another stable client identifier); only its HMAC is stored. */
  address: string | null;
}

function scopes(number: string | null, client: Client) {
  return {
    ticket: number === null ? null : `t:${number}`,
    client: `c:${hmacHex("client-address", client.address ?? "unknown").slice(0, 32)}`,
  };
}

interface CoreRow {
  id: number | null;
  receipt_hash: string | null;
  status: string | null;
}

/**
 * Verify number + receipt. Returns the ticket id and status, or throws 404 (wrong or unknown, the same)
 * or 429 (this client has failed too often).
 */
export async function verifyReceipt(
  db: Db,
  number: string,
  receipt: string,
  client: Client,
): Promise<{ id: number; status: TicketStatus }> {
  const canonical = normalizeTicketNumber(number);
  const [row] = await rows<CoreRow>(
    db,
    sql`SELECT t.id, t.receipt_hash, t.status
        FROM (SELECT 1) one LEFT JOIN tickets t ON t.number = ${canonical ?? ""}`,
  );
  const ok = receiptMatches(receipt, row?.receipt_hash ?? null);
  if (!ok || !row?.id || !row.status || !isTicketStatus(row.status)) {
    return refuseWrongReceipt(db, canonical, client);
  }
  return { id: row.id, status: row.status };
}

/** Count a wrong receipt (per client; per ticket while the client is under its limit), then 404 or 429. */
async function refuseWrongReceipt(db: Db, number: string | null, client: Client): Promise<never> {
  const s = scopes(number, client);
  const [r] = await rows<{ client_failures: number; age_s: number; ticket_failures: number | null }>(
    db,
    sql`WITH c AS (
          INSERT INTO receipt_attempts (scope, failures, window_started_at) VALUES (${s.client}, 1, now())
          ON CONFLICT (scope) DO UPDATE SET
            failures = CASE WHEN receipt_attempts.window_started_at < now() - make_interval(mins => ${RECEIPT_WINDOW_MINUTES})
                            THEN 1 ELSE receipt_attempts.failures + 1 END,
            window_started_at = CASE WHEN receipt_attempts.window_started_at < now() - make_interval(mins => ${RECEIPT_WINDOW_MINUTES})
                            THEN now() ELSE receipt_attempts.window_started_at END
          RETURNING failures, extract(epoch FROM now() - window_started_at)::float8 AS age_s
        ), t AS (
          INSERT INTO receipt_attempts (scope, failures, window_started_at)
          SELECT ${s.ticket}::text, 1, now() FROM c
           WHERE ${s.ticket}::text IS NOT NULL AND c.failures <= ${MAX_FAILURES_PER_CLIENT}
          ON CONFLICT (scope) DO UPDATE SET
            failures = CASE WHEN receipt_attempts.window_started_at < now() - make_interval(mins => ${RECEIPT_WINDOW_MINUTES})
                            THEN 1 ELSE receipt_attempts.failures + 1 END,
            window_started_at = CASE WHEN receipt_attempts.window_started_at < now() - make_interval(mins => ${RECEIPT_WINDOW_MINUTES})
                            THEN now() ELSE receipt_attempts.window_started_at END
          RETURNING failures
        )
        SELECT c.failures AS client_failures, c.age_s, (SELECT failures FROM t) AS ticket_failures FROM c`,
  );
  const ticketFailures =
    r?.ticket_failures === null || r?.ticket_failures === undefined ? 0 : Number(r.ticket_failures);
  if (ticketFailures > 0 && ticketFailures % GUESSING_ALERT_FAILURES === 0) {
    // The number is public (Open311 lists it); the clients are not named here.
    log.warn("receipt guessing: many wrong receipts for one ticket", {
      ticket: number,
      failures: ticketFailures,
      windowMinutes: RECEIPT_WINDOW_MINUTES,
    });
    receiptGuessingAlerts++;
  }
  if (r && Number(r.client_failures) > MAX_FAILURES_PER_CLIENT) {
    const window = RECEIPT_WINDOW_MINUTES * 60;
    throw new AppError("TOO_MANY_REQUESTS", "查询码错误次数过多，请稍后再试", undefined, {
      "Retry-After": String(Math.max(1, Math.ceil(window - Number(r.age_s)))),
    });
  }
  throw new AppError("NOT_FOUND", NOT_FOUND_MESSAGE);
}

let receiptGuessingAlerts = 0;
/** How many distributed-guessing warnings this process has logged (for monitoring). */
export function receiptGuessingAlertCount() {
  return receiptGuessingAlerts;
}

export interface PublicTicket {
  number: string;
  kind: TicketKind;
  kindLabel: string;
  category: string;
  categoryName: string;
  title: string;
  description: string;
  district: string;
  town: string | null;
  village: string | null;
  noticeId: number | null;
  status: TicketStatus;
  statusLabel: string;
  handlingUnit: string;
  receivedAt: string;
  deadlines: PublicDeadlines;
  reply: { summary: string; repliedAt: string } | null;
  rating: { rating: Rating; label: string; ratedAt: string } | null;
  timeline: { at: string; action: string; status: string; statusLabel: string; note: string | null }[];
  messages: { at: string; from: "reporter" | "handler"; body: string }[];
  /** What the reporter can do now */
  can: { addMessage: boolean; rate: boolean; requestReopen: boolean; requestReview: boolean };
}

type DetailRow = {
  number: string;
  kind: TicketKind;
  category_code: string;
  category_name: string;
  title: string;
  description: string;
  district: string;
  town: string | null;
  village: string | null;
  notice_id: number | null;
  status: TicketStatus;
  unit_name: string;
  received_at: string | Date;
  accept_due_on: string;
  handle_due_on: string;
  first_response_due_at: string | Date | null;
  review_due_on: string | null;
  extended_days: number;
  accepted_at: string | Date | null;
  reply_summary: string | null;
  replied_at: string | Date | null;
  rating: Rating | null;
  rated_at: string | Date | null;
  events: { at: string; action: string; to_status: string; note: string | null }[] | null;
  messages: { at: string; author: "reporter" | "handler"; body: string }[] | null;
};

const iso = (d: string | Date) => new Date(d).toISOString();

/** The columns of the reporter's view; `t` is the ticket. */
const DETAIL_SELECT =
  sql.raw(`SELECT t.number, t.kind, t.category_code, c.name AS category_name, t.title, t.description,
          d.name AS district, tw.name AS town, v.name AS village, t.notice_id, t.status, u.name AS unit_name,
          t.received_at, t.accept_due_on::text AS accept_due_on, t.handle_due_on::text AS handle_due_on,
          t.first_response_due_at, t.review_due_on::text AS review_due_on, t.extended_days, t.accepted_at,
          t.reply_summary, t.replied_at, t.rating, t.rated_at,
          (SELECT json_agg(json_build_object('at', e.created_at, 'action', e.action, 'to_status', e.to_status, 'note', e.note) ORDER BY e.id)
             FROM ticket_events e WHERE e.ticket_id = t.id AND e.visibility = 'public') AS events,
          (SELECT json_agg(json_build_object('at', m.created_at, 'author', m.author, 'body', m.body) ORDER BY m.id)
             FROM ticket_messages m WHERE m.ticket_id = t.id) AS messages
        FROM tickets t
        JOIN categories c ON c.code = t.category_code
        JOIN districts d ON d.id = t.district_id
        LEFT JOIN towns tw ON tw.id = t.town_id
        LEFT JOIN villages v ON v.id = t.village_id
        JOIN units u ON u.id = t.routed_unit_id`);

/** The reporter's view of a ticket (after verifyReceipt). Public-safe: no reporter identity, no internal events. */
export async function publicTicket(db: Db, id: number, now = new Date()): Promise<PublicTicket> {
  const [r] = await rows<DetailRow>(db, sql`${DETAIL_SELECT} WHERE t.id = ${id}`);
  if (!r) throw new AppError("NOT_FOUND", NOT_FOUND_MESSAGE);
  return toPublic(r, now);
}

function toPublic(r: DetailRow, now = new Date()): PublicTicket {
  const status = r.status;
  const today = chinaDate(now);
  const reviewOpen = !!r.review_due_on && today <= r.review_due_on;
  return {
    number: r.number,
    kind: r.kind,
    kindLabel: KIND_LABELS[r.kind],
    category: r.category_code,
    categoryName: r.category_name,
    title: r.title,
    description: r.description,
    district: r.district,
    town: r.town,
    village: r.village,
    noticeId: r.notice_id,
    status,
    statusLabel: STATUS_LABELS[status],
    handlingUnit: r.unit_name,
    receivedAt: iso(r.received_at),
    deadlines: publicDeadlines({
      acceptDueOn: r.accept_due_on,
      handleDueOn: r.handle_due_on,
      firstResponseDueAt: r.first_response_due_at ? new Date(r.first_response_due_at) : null,
      returnDueOn: null,
      reviewDueOn: r.review_due_on,
      extendedDays: r.extended_days,
      acceptedAt: r.accepted_at ? new Date(r.accepted_at) : null,
    }),
    reply: r.replied_at && r.reply_summary ? { summary: r.reply_summary, repliedAt: iso(r.replied_at) } : null,
    rating:
      r.rating && r.rated_at ? { rating: r.rating, label: RATING_LABELS[r.rating], ratedAt: iso(r.rated_at) } : null,
    timeline: (r.events ?? []).map((e) => ({
      at: iso(e.at),
      action: e.action,
      status: e.to_status,
      statusLabel: isTicketStatus(e.to_status) ? STATUS_LABELS[e.to_status] : e.to_status,
      note: e.note,
    })),
    messages: (r.messages ?? []).map((m) => ({ at: iso(m.at), from: m.author, body: m.body })),
    can: {
      addMessage: !["not_accepted", "closed", "merged"].includes(status),
      rate: status === "replied",
      requestReopen: (status === "replied" || status === "rated") && reviewOpen,
      requestReview: ["replied", "rated", "closed"].includes(status) && reviewOpen,
    },
  };
}

/** Look up a ticket as its reporter. */
export async function trackTicket(db: Db, number: string, receipt: string, client: Client): Promise<PublicTicket> {
  // One round trip: the ticket's stored hash, and its view only when the hash matches (so a wrong
  // receipt and an unknown number do the same work); then the constant-time check decides.
  const canonical = normalizeTicketNumber(number);
  const hash = hashReceipt(receipt);
  const [row] = await rows<CoreRow & { detail: DetailRow | null }>(
    db,
    sql`SELECT t.id, t.receipt_hash, t.status,
          (SELECT row_to_json(x) FROM (${DETAIL_SELECT} WHERE t.id = tk.id) x) AS detail
        FROM (SELECT 1) one
        LEFT JOIN tickets tk ON tk.number = ${canonical ?? ""} AND tk.receipt_hash = ${hash}
        LEFT JOIN tickets t ON t.number = ${canonical ?? ""}`,
  );
  const ok = sameDigest(hash, row?.receipt_hash ?? DUMMY_RECEIPT_HASH) && !!row?.receipt_hash;
  if (!ok || !row?.id) return refuseWrongReceipt(db, canonical, client);
  return row.detail ? toPublic(row.detail) : publicTicket(db, row.id);
}

async function reporterEvent(
  tx: Db,
  ticketId: number,
  from: TicketStatus,
  action: string,
  to: TicketStatus,
  note: string | null,
  visibility: "public" | "internal" = "public",
) {
  await rows(
    tx,
    sql`INSERT INTO ticket_events (ticket_id, action, from_status, to_status, visibility, actor_kind, note)
        VALUES (${ticketId}, ${action}, ${from}, ${to}, ${visibility}, 'reporter', ${note})`,
  );
}

/** Lock the ticket row and re-read its status inside the transaction. */
async function lockTicket(tx: Db, id: number) {
  const [t] = await rows<{ status: TicketStatus; review_due_on: string | null; replied_at: string | Date | null }>(
    tx,
    sql`SELECT status, review_due_on::text AS review_due_on, replied_at FROM tickets WHERE id = ${id} FOR UPDATE`,
  );
  if (!t) throw new AppError("NOT_FOUND", NOT_FOUND_MESSAGE);
  return t;
}

/** A reporter's status change into the public transparency log (no unit acted: `unit` is null). */
async function logReporterTransition(tx: Db, id: number, action: string, from: string, to: string) {
  const [t] = await rows<SqlRow<typeof tickets, "number">>(
    tx,
    sql`SELECT ${tickets.number} FROM ${tickets} WHERE ${tickets.id} = ${id}`,
  );
  await appendTicketTransition(tx, { number: t.number, action, from, to, unitId: null, time: new Date() });
}

/** The reporter adds information or answers the handler's question. */
export async function addReporterMessage(db: Db, number: string, receipt: string, body: string, client: Client) {
  const text = body.trim();
  if (!text) throw new AppError("VALIDATION_FAILED", "请填写留言内容", [{ path: "body", message: "请填写留言内容" }]);
  if (text.length > 4000) {
    throw new AppError("VALIDATION_FAILED", "留言不能超过 4000 字", [
      { path: "body", message: "留言不能超过 4000 字" },
    ]);
  }
  const { id } = await verifyReceipt(db, number, receipt, client);
  await db.transaction(async (tx) => {
    const t = await lockTicket(tx, id);
    assertTransition(t.status, "message", { actor: "reporter" });
    await rows(tx, sql`INSERT INTO ticket_messages (ticket_id, author, body) VALUES (${id}, 'reporter', ${text})`);
    await reporterEvent(tx, id, t.status, "message", t.status, "反映人补充了信息");
    await rows(tx, sql`UPDATE tickets SET updated_at = now() WHERE id = ${id}`);
  });
  return publicTicket(db, id);
}

/** Rate the reply (满意/基本满意/不满意); a dissatisfied reporter may then ask for 重办 or 复核. */
export async function rateTicket(
  db: Db,
  number: string,
  receipt: string,
  input: { rating: Rating; comment?: string | null },
  client: Client,
) {
  if (!(input.rating in RATING_LABELS)) {
    throw new AppError("VALIDATION_FAILED", "评价须为满意、基本满意或不满意", [
      { path: "rating", message: "取值不对" },
    ]);
  }
  const { id } = await verifyReceipt(db, number, receipt, client);
  await db.transaction(async (tx) => {
    const t = await lockTicket(tx, id);
    const to = assertTransition(t.status, "rate", { actor: "reporter" });
    const comment = input.comment?.trim() || null;
    await rows(
      tx,
      sql`INSERT INTO ticket_ratings (ticket_id, rating, comment) VALUES (${id}, ${input.rating}, ${comment})`,
    );
    await rows(
      tx,
      sql`UPDATE tickets SET status = ${to}, rating = ${input.rating}, rated_at = now(), updated_at = now() WHERE id = ${id}`,
    );
    await reporterEvent(tx, id, t.status, "rate", to, `评价：${RATING_LABELS[input.rating]}`);
    await logReporterTransition(tx, id, "rate", t.status, to);
    if (comment) await reporterEvent(tx, id, t.status, "rate_comment", to, comment, "internal");
  });
  return publicTicket(db, id);
}

/** 重办 or 复核 (within 30 days of the reply), with the reporter's reason. */
export async function requestFollowUp(
  db: Db,
  number: string,
  receipt: string,
  input: { type: "reopen" | "review"; reason: string },
  client: Client,
) {
  const reason = input.reason.trim();
  if (!reason) throw new AppError("VALIDATION_FAILED", "请说明理由", [{ path: "reason", message: "请说明理由" }]);
  if (reason.length > 2000) {
    throw new AppError("VALIDATION_FAILED", "理由不能超过 2000 字", [
      { path: "reason", message: "理由不能超过 2000 字" },
    ]);
  }
  const { id } = await verifyReceipt(db, number, receipt, client);
  const cal = await loadCalendar(db);
  await db.transaction(async (tx) => {
    const t = await lockTicket(tx, id);
    const action = input.type === "reopen" ? "request_reopen" : "request_review";
    const to = assertTransition(t.status, action, { actor: "reporter", reason });
    const due = t.review_due_on ?? (t.replied_at ? reviewDeadline(new Date(t.replied_at), cal) : null);
    if (!due || chinaDate(new Date()) > due) {
      throw new AppError(
        "INVALID_TRANSITION",
        `答复已超过 30 日（截至 ${due ?? "—"}），不能再申请${input.type === "reopen" ? "重办" : "复核"}`,
      );
    }
    await rows(tx, sql`UPDATE tickets SET status = ${to}, updated_at = now() WHERE id = ${id}`);
    await logReporterTransition(tx, id, action, t.status, to);
    await reporterEvent(
      tx,
      id,
      t.status,
      action,
      to,
      `${input.type === "reopen" ? "申请重办" : "申请复核"}：${reason}`,
    );
  });
  return publicTicket(db, id);
}
