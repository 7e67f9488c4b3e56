import { eq, sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { units } from "../../db/schema";
import { log } from "../../lib/log";
import { appendAuditBatch } from "../audit/audit-log";
import { addDays, chinaDate } from "../hotline/deadlines";
import { FINAL_STATUSES, nextStatus } from "../hotline/lifecycle";
import { enqueueNotifications, type NotificationInput } from "../notifications/outbox";

// The deadline sweep. 催办: a reminder to the handling unit when a deadline is within REMIND_DAYS.
// 督办: when a deadline has passed, the ticket is marked escalated and the supervising unit and the
// level above are notified. Tier I tickets still unanswered 24 hours after receipt escalate too.
//
// Safe in several processes at once and idempotent: each (ticket, kind, deadline) is claimed by
// inserting into ticket_sweep_marks (primary key), candidate rows are locked with FOR UPDATE SKIP
// LOCKED, and notifications carry a dedupe key. A second run finds nothing new to do.

export const REMIND_DAYS = 3;
const BATCH = 2000;

export interface SweepResult {
  reminded: number;
  escalated: number;
  firstResponse: number;
  ms: number;
}

// Literals, not parameters: a generic (prepared) plan must still match the partial indexes' predicate.
const FINAL_SQL = sql.raw(FINAL_STATUSES.map((s) => `'${s}'`).join(", "));

type Kind = "remind" | "escalate" | "first_response";

async function sweepKind(db: Db, kind: Kind, today: string, now: Date): Promise<number> {
  let total = 0;
  const [cityHotline] = await db.select({ id: units.id }).from(units).where(eq(units.code, "city-hotline"));
  for (;;) {
    const done = await db.transaction(async (tx) => {
      const due =
        kind === "remind"
          ? sql`t.due_on BETWEEN ${today}::date AND ${addDays(today, REMIND_DAYS)}::date`
          : kind === "escalate"
            ? sql`t.due_on < ${today}::date`
            : sql`t.tier = 'I' AND t.status = 'received' AND t.first_response_due_at < ${now.toISOString()}::timestamptz`;
      const markDue = kind === "first_response" ? sql`t.accept_due_on` : sql`t.due_on`;
      // Claim: lock candidates nobody else holds, and record the mark; only newly inserted marks act.
      const claimed = await rows<{
        id: number;
        number: string;
        status: string;
        routed_unit_id: number;
        supervising_unit_id: number;
        due_on: string;
        ticket_due_on: string | null;
      }>(
        tx,
        sql`WITH cand AS (
              SELECT t.id, t.number, t.status, t.routed_unit_id, t.supervising_unit_id, ${markDue} AS due_on,
                t.due_on AS ticket_due_on
              FROM tickets t
              WHERE t.status NOT IN (${FINAL_SQL}) AND ${due}
                AND NOT EXISTS (SELECT 1 FROM ticket_sweep_marks m WHERE m.ticket_id = t.id AND m.kind = ${kind} AND m.due_on = ${markDue})
              ORDER BY t.id LIMIT ${BATCH} FOR UPDATE OF t SKIP LOCKED),
            ins AS (
              INSERT INTO ticket_sweep_marks (ticket_id, kind, due_on) SELECT id, ${kind}, due_on FROM cand
              ON CONFLICT DO NOTHING RETURNING ticket_id)
            SELECT c.id, c.number, c.status, c.routed_unit_id, c.supervising_unit_id, c.due_on::text AS due_on,
              c.ticket_due_on::text AS ticket_due_on
            FROM cand c JOIN ins ON ins.ticket_id = c.id ORDER BY c.id`,
      );
      // Safety: the state machine must allow the action (remind/escalate are self-transitions).
      const action = kind === "remind" ? "remind" : "escalate";
      const acted = claimed.filter((c) => nextStatus(c.status as never, action) !== null);
      if (acted.length === 0) return claimed.length === 0;
      const ids = sql.join(
        acted.map((a) => sql`${a.id}`),
        sql`, `,
      );
      const note =
        kind === "remind"
          ? "系统催办：办理期限临近"
          : kind === "escalate"
            ? "系统督办：已超过期限，已报上级督办"
            : "系统督办：特别重大事项 24 小时内未首次响应";
      await tx.execute(sql`INSERT INTO ticket_events (ticket_id, action, from_status, to_status, visibility, actor_kind, note)
        SELECT id, ${action}, status, status, 'internal', 'system', ${note} FROM tickets WHERE id IN (${ids})`);
      if (kind !== "remind") {
        await tx.execute(sql`UPDATE tickets SET escalated_at = COALESCE(escalated_at, now()) WHERE id IN (${ids})`);
      }
      // Notifications: reminder → the handling unit; escalation → the supervising unit and the city centre.
      // The dedupe key names the ticket's deadline, so a ticket is notified once per deadline.
      const template = kind === "remind" ? "ticket.reminder" : "ticket.escalated";
      const notifications: NotificationInput[] = [];
      for (const a of acted) {
        const unitIds =
          kind === "remind" ? [a.routed_unit_id] : [a.routed_unit_id, a.supervising_unit_id, cityHotline?.id];
        for (const unitId of new Set(unitIds)) {
          if (unitId == null) continue;
          const to = `unit:${unitId}`;
          notifications.push({
            channel: "staff",
            to,
            template,
            data: { number: a.number, dueOn: a.ticket_due_on },
            dedupeKey: a.ticket_due_on === null ? undefined : `sweep:${kind}:${a.id}:${a.ticket_due_on}:${to}`,
          });
        }
      }
      await enqueueNotifications(tx, notifications);
      await appendAuditBatch(
        tx,
        acted.map((a) => ({
          actorId: null,
          action: `ticket.${kind === "remind" ? "remind" : "escalate"}`,
          subjectType: "ticket",
          subjectId: a.number,
          details: { by: "sweep", kind, dueOn: a.due_on },
        })),
      );
      total += acted.length;
      return false;
    });
    if (done) break;
  }
  return total;
}

/** One sweep pass over every open ticket. */
export async function runSweep(db: Db, now = new Date()): Promise<SweepResult> {
  const started = Date.now();
  const today = chinaDate(now);
  const escalated = await sweepKind(db, "escalate", today, now);
  const reminded = await sweepKind(db, "remind", today, now);
  const firstResponse = await sweepKind(db, "first_response", today, now);
  const result = { reminded, escalated, firstResponse, ms: Date.now() - started };
  if (reminded + escalated + firstResponse > 0) log.info("deadline sweep", { ...result });
  return result;
}
