import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { env } from "../../lib/env";
import { appendAudit } from "../audit/audit-log";
import { todayCn } from "../notices/state";
import { fromCents, toCents } from "./cents";

// Money that is stuck: allocations not fully disbursed 30 / 60 / 90 days after they were published are
// listed publicly by district and age; past STUCK_MONEY_LEDGER_DAYS each one opens a ledger entry (台账)
// for its district's poverty-alleviation office, exactly once (stuck_money_entries holds the link, and a
// transaction-scoped advisory lock keeps two processes from opening the same one twice).

const STUCK_LOCK = 727_130;
export const STUCK_AGES = [30, 60, 90] as const;

export interface StuckAllocation {
  id: number;
  year: number;
  fundName: string;
  docNumber: string;
  district: string;
  place: string;
  amount: string;
  disbursed: string;
  remainder: string;
  ageDays: number;
  ledgerEntry: string | null;
}

export interface StuckSummary {
  byDistrict: { district: string; d30: number; d60: number; d90: number; remainder: string }[];
  items: StuckAllocation[];
  total: number;
}

/** The public list: allocations with money undisbursed for at least 30 days. */
export async function stuckMoney(
  db: Db,
  opts: { district?: string | null; minAge?: number; limit?: number } = {},
  today = todayCn(),
): Promise<StuckSummary> {
  const minAge = opts.minAge ?? 30;
  const list = await rows<{
    id: number;
    year: number;
    fund_name: string;
    doc_number: string;
    district: string;
    place: string;
    amount: string;
    disbursed: string;
    age: number;
    ledger: string | null;
  }>(
    db,
    sql`SELECT a.id, a.year, a.fund_name, a.doc_number, d.name AS district,
          concat_ws(' ', d.name, t.name, v.name) AS place, a.amount::text AS amount,
          coalesce(s.disbursed, 0)::text AS disbursed, (${today}::date - a.published_on) AS age, le.number AS ledger
        FROM fund_allocations a
        JOIN districts d ON d.id = a.district_id
        LEFT JOIN towns t ON t.id = a.town_id
        LEFT JOIN villages v ON v.id = a.village_id
        LEFT JOIN (SELECT allocation_id, sum(amount) AS disbursed FROM disbursements WHERE status = 'active' GROUP BY 1) s
          ON s.allocation_id = a.id
        LEFT JOIN stuck_money_entries st ON st.allocation_id = a.id
        LEFT JOIN ledger_entries le ON le.id = st.ledger_entry_id
        WHERE a.status = 'active' AND a.published_on <= ${today}::date - ${minAge}::int
          AND coalesce(s.disbursed, 0) < a.amount
          ${opts.district ? sql`AND d.name = ${opts.district}` : sql``}
        ORDER BY a.published_on, a.id`,
  );
  const byDistrict = new Map<string, { district: string; d30: number; d60: number; d90: number; cents: bigint }>();
  const items: StuckAllocation[] = [];
  for (const r of list) {
    const age = Number(r.age);
    const remainder = toCents(r.amount) - toCents(r.disbursed);
    let e = byDistrict.get(r.district);
    if (!e) {
      e = { district: r.district, d30: 0, d60: 0, d90: 0, cents: 0n };
      byDistrict.set(r.district, e);
    }
    if (age >= 90) e.d90++;
    else if (age >= 60) e.d60++;
    else e.d30++;
    e.cents += remainder;
    if (items.length < (opts.limit ?? 200))
      items.push({
        id: Number(r.id),
        year: Number(r.year),
        fundName: r.fund_name,
        docNumber: r.doc_number,
        district: r.district,
        place: r.place,
        amount: r.amount,
        disbursed: r.disbursed,
        remainder: fromCents(remainder),
        ageDays: age,
        ledgerEntry: r.ledger,
      });
  }
  return {
    byDistrict: [...byDistrict.values()].map((e) => ({
      district: e.district,
      d30: e.d30,
      d60: e.d60,
      d90: e.d90,
      remainder: fromCents(e.cents),
    })),
    items,
    total: list.length,
  };
}

/**
 * Open one ledger entry per allocation stuck longer than the threshold, for its district's poverty
 * alleviation office (扶贫办). Idempotent: an allocation that already has one is skipped. Returns how
 * many were opened.
 */
export async function openStuckMoneyEntries(
  db: Db,
  today = todayCn(),
  thresholdDays = env().STUCK_MONEY_LEDGER_DAYS,
): Promise<number> {
  return db.transaction(async (tx) => {
    await rows(tx, sql`SELECT pg_advisory_xact_lock(${STUCK_LOCK})`);
    const due = await rows<{
      id: number;
      fund_name: string;
      doc_number: string;
      place: string;
      remainder: string;
      age: number;
      unit_id: number;
      district_id: number;
    }>(
      tx,
      sql`SELECT a.id, a.fund_name, a.doc_number, concat_ws(' ', d.name, t.name, v.name) AS place,
            (a.amount - coalesce(s.disbursed, 0))::text AS remainder, (${today}::date - a.published_on) AS age,
            u.id AS unit_id, d.id AS district_id
          FROM fund_allocations a
          JOIN districts d ON d.id = a.district_id
          JOIN units u ON u.code = d.code || '-fpb'
          LEFT JOIN towns t ON t.id = a.town_id
          LEFT JOIN villages v ON v.id = a.village_id
          LEFT JOIN (SELECT allocation_id, sum(amount) AS disbursed FROM disbursements WHERE status = 'active' GROUP BY 1) s
            ON s.allocation_id = a.id
          WHERE a.status = 'active' AND a.published_on <= ${today}::date - ${thresholdDays}::int
            AND coalesce(s.disbursed, 0) < a.amount
            AND NOT EXISTS (SELECT 1 FROM stuck_money_entries st WHERE st.allocation_id = a.id)
          ORDER BY a.id LIMIT 500`,
    );
    const year = today.slice(0, 4);
    const deadline = new Date(Date.parse(`${today}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);
    for (const a of due) {
      const [{ n }] = await rows<{ n: string }>(tx, sql`SELECT nextval('ledger_number_seq') AS n`);
      const number = `TZ-${year}-${String(n).padStart(5, "0")}`;
      const [entry] = await rows<{ id: number }>(
        tx,
        sql`INSERT INTO ledger_entries (number, source, responsible_unit_id, level, district_id, category_code, title,
              description, measures, deadline, status)
            VALUES (${number}, 'audit', ${a.unit_id}, 'district', ${a.district_id}, 'fund_management',
              ${`资金滞留：${a.fund_name}（${a.doc_number}）`.slice(0, 200)},
              ${`${a.place}的资金分配（第 ${a.id} 号，${a.doc_number}）发布已 ${a.age} 天，仍有 ${a.remainder} 元未拨付。`},
              ${"查明未拨付原因，按规定拨付或调整用途，并在平台登记拨付记录。"}, ${deadline}, 'open')
            RETURNING id`,
      );
      await rows(
        tx,
        sql`INSERT INTO ledger_events (entry_id, action, from_status, to_status, note)
            VALUES (${entry.id}, 'create', NULL, 'open', ${"资金滞留超过期限，系统自动列入台账"})`,
      );
      await rows(
        tx,
        sql`INSERT INTO stuck_money_entries (allocation_id, ledger_entry_id) VALUES (${a.id}, ${entry.id})`,
      );
      await appendAudit(tx, {
        actorId: null,
        action: "ledger.create",
        subjectType: "ledger_entry",
        subjectId: number,
        details: { source: "stuck_money", allocationId: Number(a.id), remainder: a.remainder, ageDays: Number(a.age) },
      });
    }
    return due.length;
  });
}
