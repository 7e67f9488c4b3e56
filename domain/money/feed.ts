import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";

// The change feed for data users: new and corrected allocations, disbursements and household-payment
// batches, newest first (Atom at /feeds/money.xml, JSON at GET /api/money/changes?updatedSince=…).
// Only public fields: amounts, document and voucher numbers, places, reasons; never a household.

export interface MoneyChange {
  /** Stable id of the change (kind:subject:version). */
  key: string;
  kind: "allocation" | "disbursement" | "payment_batch";
  change: "original" | "correction" | "withdrawal";
  at: string;
  title: string;
  summary: string;
  /** Site path of the record. */
  path: string;
}

const CHANGE_LABEL = { original: "新增", correction: "更正", withdrawal: "撤回" } as const;

export { parseUpdatedSince } from "../../lib/updated-since";

export async function moneyChanges(db: Db, opts: { since?: Date | null; limit?: number } = {}): Promise<MoneyChange[]> {
  const limit = Math.min(opts.limit ?? 50, 500);
  const since = opts.since ? opts.since.toISOString() : "1970-01-01T00:00:00Z";
  const list = await rows<{
    kind: MoneyChange["kind"];
    subject: number;
    version: number;
    change: MoneyChange["change"];
    at: string;
    a: string | null;
    b: string | null;
    c: string | null;
    reason: string | null;
    link: number | null;
  }>(
    db,
    sql`(SELECT 'allocation' AS kind, v.allocation_id AS subject, v.version, v.kind AS change, v.created_at AS at,
            v.fund_name AS a, v.amount::text AS b, d.name AS c, v.reason, v.allocation_id AS link
          FROM fund_allocation_versions v JOIN districts d ON d.id = v.district_id
          WHERE v.created_at > ${since}::timestamptz ORDER BY v.created_at DESC, v.id DESC LIMIT ${limit})
        UNION ALL
        (SELECT 'disbursement', m.subject_id, m.version, m.kind, m.created_at, m.snapshot->>'voucherNo', m.snapshot->>'amount',
            m.snapshot->>'recipient', m.reason, (m.snapshot->>'allocationId')::int
          FROM money_versions m WHERE m.subject_type = 'disbursement' AND m.created_at > ${since}::timestamptz
          ORDER BY m.created_at DESC, m.id DESC LIMIT ${limit})
        UNION ALL
        (SELECT 'payment_batch', b.id, 1, 'original', b.created_at, b.row_count::text, b.total::text, b.encoding, NULL,
            (SELECT d.allocation_id FROM household_payments p JOIN disbursements d ON d.id = p.disbursement_id
              WHERE p.batch_id = b.id LIMIT 1)
          FROM household_payment_batches b WHERE b.created_at > ${since}::timestamptz ORDER BY b.created_at DESC, b.id DESC LIMIT ${limit})
        ORDER BY at DESC LIMIT ${limit}`,
  );
  return list.map((r) => {
    const label = CHANGE_LABEL[r.change];
    const reason = r.reason ? `原因：${r.reason}` : "";
    const common = { change: r.change, at: new Date(r.at).toISOString(), path: r.link ? `/funds/${r.link}` : "/funds" };
    if (r.kind === "allocation")
      return {
        ...common,
        key: `allocation:${r.subject}:${r.version}`,
        kind: r.kind,
        title: `资金分配${label}：${r.a}（${r.c}）`,
        summary: [`金额 ${r.b} 元`, reason].filter(Boolean).join("；"),
      };
    if (r.kind === "disbursement")
      return {
        ...common,
        key: `disbursement:${r.subject}:${r.version}`,
        kind: r.kind,
        title: `拨付${label}：${r.b} 元（${r.a}）`,
        summary: [`收款方 ${r.c}`, reason].filter(Boolean).join("；"),
      };
    return {
      ...common,
      key: `payment_batch:${r.subject}:1`,
      kind: r.kind,
      title: `到户发放批次：${r.a} 笔，合计 ${r.b} 元`,
      summary: "补贴直接拨付到户的发放名册（户主信息不公开）",
    };
  });
}
