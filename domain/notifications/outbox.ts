import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { backoffDelay } from "../../lib/backoff";
import { open } from "../../lib/crypto";
import { env } from "../../lib/env";
import { log } from "../../lib/log";

// Durable notification outbox. Callers enqueue inside the transaction that causes the notification,
// so a notification exists iff the change committed. A drain worker sends due rows with
// FOR UPDATE SKIP LOCKED (several workers may run), retrying with exponential backoff; a failing
// transport never loses a row (after MAX_ATTEMPTS it is parked as 'dead', still in the table).

export type NotificationChannel = "sms" | "email" | "staff";

export interface NotificationInput {
  channel: NotificationChannel;
  /** sms: phone number, or "reporter:<ticket id>" (the phone is decrypted only when sending);
   *  email: address; staff: "user:<id>" or "unit:<id>". */
  to: string;
  template: string;
  data: object;
  /** When set, a second enqueue with the same key is a no-op (idempotent producers such as the sweep). */
  dedupeKey?: string;
}

/** Enqueue a notification in the caller's transaction. `created` is false for a duplicate dedupeKey. */
export async function enqueueNotification(
  tx: Db,
  input: NotificationInput,
): Promise<{ id: number | null; created: boolean }> {
  const [id] = await enqueueNotifications(tx, [input]);
  return id === undefined ? { id: null, created: false } : { id, created: true };
}

/**
 * Enqueue several notifications in the caller's transaction, in one statement (producers that notify
 * in bulk, such as the deadline sweep). Returns the ids of the rows created: a duplicate dedupeKey,
 * already queued or twice in `inputs`, creates none.
 */
export async function enqueueNotifications(tx: Db, inputs: NotificationInput[]): Promise<number[]> {
  if (inputs.length === 0) return [];
  const values = sql.join(
    inputs.map(
      (i) =>
        sql`(${i.channel}, ${i.to}, ${i.template}, ${JSON.stringify(i.data ?? {})}::jsonb, ${i.dedupeKey ?? null})`,
    ),
    sql`, `,
  );
  const out = await rows<{ id: string | number }>(
    tx,
    sql`INSERT INTO notification_outbox (channel, recipient, template, data, dedupe_key)
        VALUES ${values}
        ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
  );
  return out.map((r) => Number(r.id));
}

export interface OutboxMessage {
  id: number;
  channel: NotificationChannel;
  recipient: string;
  template: string;
  data: Record<string, unknown>;
  attempts: number;
}

/** Delivers one message; throws to ask for a retry. */
export type Transport = (msg: OutboxMessage) => Promise<void>;
export type Transports = Partial<Record<NotificationChannel, Transport>>;

export const MAX_ATTEMPTS = 8;
/** Seconds to wait before attempt n+1 (n = attempts so far, ≥ 1): 30 s, 60 s, 120 s … capped at 6 h. */
export function backoffSeconds(attempts: number): number {
  return backoffDelay(attempts, { base: 30, max: 6 * 3600 });
}

/** Log transport: records that a message went out, without personal data. */
export const logTransport: Transport = async (msg) => {
  log.info("notification sent", { transport: "log", id: msg.id, channel: msg.channel, template: msg.template });
};

/** File transport: appends each message as a JSON line to DATA_DIR/notifications/<channel>.jsonl. */
export function fileTransport(dir = path.resolve(env().DATA_DIR, "notifications")): Transport {
  return async (msg) => {
    mkdirSync(dir, { recursive: true });
    appendFileSync(
      path.join(dir, `${msg.channel}.jsonl`),
      `${JSON.stringify({ id: msg.id, to: msg.recipient, template: msg.template, data: msg.data, at: new Date().toISOString() })}\n`,
    );
  };
}

/** HTTP gateway transport: POSTs {to, template, data} as JSON; any non-2xx is a failure (retried). */
export function httpTransport(url: string, token?: string): Transport {
  return async (msg) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ id: msg.id, to: msg.recipient, template: msg.template, data: msg.data }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`gateway answered ${res.status}`);
  };
}

/** The transports from configuration: SMS/email gateways when their URLs are set, else log or file. */
export function configuredTransports(): Transports {
  const e = env();
  const fallback = e.NOTIFY_TRANSPORT === "file" ? fileTransport() : logTransport;
  return {
    sms: e.NOTIFY_SMS_URL ? httpTransport(e.NOTIFY_SMS_URL, e.NOTIFY_GATEWAY_TOKEN) : fallback,
    email: e.NOTIFY_EMAIL_URL ? httpTransport(e.NOTIFY_EMAIL_URL, e.NOTIFY_GATEWAY_TOKEN) : fallback,
    // Staff notifications are read in the console (the outbox row is the inbox); the transport only logs.
    staff: logTransport,
  };
}

/**
 * Send due messages (up to `limit`). Safe to run in several processes: rows are claimed with
 * FOR UPDATE SKIP LOCKED, each in its own short transaction.
 */
export async function drainOutbox(
  db: Db,
  opts: { transports?: Transports; limit?: number } = {},
): Promise<{ sent: number; failed: number; dead: number }> {
  const transports = opts.transports ?? configuredTransports();
  const limit = opts.limit ?? 100;
  const result = { sent: 0, failed: 0, dead: 0 };
  for (let i = 0; i < limit; i++) {
    const done = await db.transaction(async (tx) => {
      const [row] = await rows<{
        id: string | number;
        channel: NotificationChannel;
        recipient: string;
        template: string;
        data: unknown;
        attempts: number;
      }>(
        tx,
        sql`SELECT id, channel, recipient, template, data, attempts FROM notification_outbox
            WHERE status = 'pending' AND next_attempt_at <= now()
            ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      );
      if (!row) return false;
      const msg: OutboxMessage = {
        id: Number(row.id),
        channel: row.channel,
        recipient: row.recipient,
        template: row.template,
        data: (typeof row.data === "string" ? JSON.parse(row.data) : row.data) as Record<string, unknown>,
        attempts: row.attempts,
      };
      const transport = transports[msg.channel] ?? logTransport;
      try {
        // Reporters' phone numbers are not copied into the outbox: resolved (decrypted) only to send.
        if (msg.recipient.startsWith("reporter:"))
          msg.recipient = await reporterPhone(tx, Number(msg.recipient.slice(9)));
        await transport(msg);
        await tx.execute(
          sql`UPDATE notification_outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ${msg.id}`,
        );
        result.sent++;
      } catch (err) {
        const attempts = msg.attempts + 1;
        const dead = attempts >= MAX_ATTEMPTS;
        const message = String((err as Error).message ?? err).slice(0, 500);
        await tx.execute(
          sql`UPDATE notification_outbox SET attempts = ${attempts}, last_error = ${message},
              status = ${dead ? "dead" : "pending"},
              next_attempt_at = now() + make_interval(secs => ${backoffSeconds(attempts)})
              WHERE id = ${msg.id}`,
        );
        if (dead) result.dead++;
        else result.failed++;
        log.warn("notification failed", { id: msg.id, channel: msg.channel, attempts, dead });
      }
      return true;
    });
    if (!done) break;
  }
  return result;
}

/** The phone of a real-name reporter (decrypted in memory, for the SMS transport only). */
async function reporterPhone(tx: Db, ticketId: number): Promise<string> {
  const [r] = await rows<{ key_id: string; identity_enc: string }>(
    tx,
    sql`SELECT key_id, identity_enc FROM ticket_reporters WHERE ticket_id = ${ticketId}`,
  );
  if (!r) throw new Error("no reporter identity for this ticket");
  const identity = JSON.parse(open({ keyId: r.key_id, data: r.identity_enc }, "ticket-reporter")) as { phone?: string };
  if (!identity.phone) throw new Error("reporter gave no phone");
  return identity.phone;
}

/** Staff notifications for one user (and their unit), newest first: the console's inbox. */
export async function staffInbox(db: Db, userId: number, unitId: number, limit = 20) {
  return rows<{ id: number; template: string; data: Record<string, unknown>; created_at: Date }>(
    db,
    sql`SELECT id, template, data, created_at FROM notification_outbox
        WHERE channel = 'staff' AND recipient IN (${`user:${userId}`}, ${`unit:${unitId}`})
        ORDER BY id DESC LIMIT ${limit}`,
  );
}
