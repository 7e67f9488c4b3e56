import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";

// Contract B1 → A: how many objections a notice received and, once handled, their outcomes.
// Public-safe only: ticket number, status, the public reply summary — never anything about the reporter.

export interface ObjectionSummary {
  count: number;
  outcomes: { number: string; status: string; outcome: string | null; repliedAt: string | null }[];
}

export async function objectionSummary(db: Db, noticeId: number): Promise<ObjectionSummary> {
  const list = await rows<{
    number: string;
    status: string;
    reply_summary: string | null;
    replied_at: string | Date | null;
  }>(
    db,
    sql`SELECT number, status, reply_summary, replied_at FROM tickets
        WHERE notice_id = ${noticeId} AND kind = 'objection' AND status <> 'merged'
        ORDER BY received_at, id`,
  );
  return {
    count: list.length,
    outcomes: list.map((r) => ({
      number: r.number,
      status: r.status,
      outcome: r.replied_at ? r.reply_summary : null,
      repliedAt: r.replied_at ? new Date(r.replied_at).toISOString() : null,
    })),
  };
}
