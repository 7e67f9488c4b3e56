import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { hmacHex, sameDigest } from "../../lib/crypto";
import { AppError, validationFailed } from "../../lib/errors";
import { appendAudit } from "../audit/audit-log";
import { type FileResult, fileTicket } from "../hotline/filing";
import { todayCn } from "../notices/state";
import { householdNameHash, idNumberHash } from "./households";
import {
  CASE_METHOD_LABELS,
  CASE_STAGE_LABELS,
  type CaseMethod,
  type CaseStage,
  PROGRAMME_LABELS,
  type Programme,
} from "./labels";
import { type OwnPayment, type OwnPaymentRow, ownPayment, ownPaymentsSql } from "./payments";
import { normalizeIdNumber } from "./privacy";

// 查询本人补贴: a household enters the 户主's ID number and name; both must match the register, and then
// it sees its own payments and 危房改造 case — nothing else. A wrong pair, a stranger's number and a
// number not registered get the same answer after the same work (both keyed hashes computed, compared
// in constant time against the row or a dummy). Failures are throttled PER CLIENT only (HMAC of its
// address, in the database like receipt attempts): a limit per ID number would let anyone lock the real
// household out. Every lookup is counted by day and outcome; the number is never logged or stored.

export const CHECK_WINDOW_MINUTES = 15;
export const MAX_CHECK_FAILURES_PER_CLIENT = 20;
const NOT_FOUND_MESSAGE = "身份证号码与户主姓名不匹配，或没有查到登记信息";
const DUMMY = "0".repeat(64);

export interface CheckClient {
  address: string | null;
}

export interface OwnCase {
  year: number;
  grade: string;
  method: string;
  amount: string;
  stage: string;
  stages: { stage: string; label: string; on: string | null }[];
}

interface CaseRow {
  year: number;
  grade: string;
  method: CaseMethod;
  amount: string;
  stage: CaseStage;
  stage_dates: unknown;
}

export interface OwnSubsidies {
  household: { nameMasked: string; idMasked: string; district: string; town: string; village: string; members: number };
  payments: OwnPayment[];
  cases: OwnCase[];
  /** Proof, valid for an hour, that this client verified this household: lets it report one payment. */
  reportToken: string;
}

function clientScope(client: CheckClient) {
  return `pay:${hmacHex("client-address", client.address ?? "unknown").slice(0, 32)}`;
}

/** The statement part that counts one lookup (a data-modifying CTE: it runs whatever the query reads). */
function countCte(outcome: "found" | "not_found" | "throttled") {
  return sql`counted AS (
      INSERT INTO payment_check_counts (day, outcome, n) VALUES (${todayCn()}, ${outcome}, 1)
      ON CONFLICT (day, outcome) DO UPDATE SET n = payment_check_counts.n + 1 RETURNING 1
    ), relaxed AS (SELECT set_config('synchronous_commit', 'off', true) AS v)`;
}

/**
 * Count one lookup. The counter need not survive a crash to the last lookup, so its commit does not
 * wait for the disk (synchronous_commit off for this statement's transaction only): one round trip.
 */
async function count(db: Db, outcome: "found" | "not_found" | "throttled") {
  await rows(db, sql`WITH ${countCte(outcome)} SELECT (SELECT v FROM relaxed) AS v`);
}

/** Look up one's own payments by the 户主's ID number and name. 404 for any mismatch, 429 when throttled. */
export async function checkOwnSubsidies(
  db: Db,
  input: { idNumber: string; name: string },
  client: CheckClient,
  now = new Date(),
): Promise<OwnSubsidies> {
  const idNumber = normalizeIdNumber(input.idNumber ?? "");
  const name = (input.name ?? "").replace(/\s+/g, "");
  const problems: { path: string; message: string }[] = [];
  if (!idNumber) problems.push({ path: "idNumber", message: "请填写户主身份证号码" });
  else if (!/^\d{17}[\dX]$/.test(idNumber)) problems.push({ path: "idNumber", message: "身份证号码应为 18 位" });
  if (!name) problems.push({ path: "name", message: "请填写户主姓名" });
  else if (name.length > 30) problems.push({ path: "name", message: "姓名不超过 30 个字" });
  if (problems.length) throw validationFailed(problems[0].message, problems);

  const scope = clientScope(client);
  // One round trip: the household (by keyed hash, with its public place and masked identity) and this
  // client's failure count.
  const [row] = await rows<{
    id: number | null;
    name_hash: string | null;
    failures: number | null;
    age_s: number | null;
    name_masked: string | null;
    id_masked: string | null;
    members: number | null;
    district: string | null;
    town: string | null;
    village: string | null;
  }>(
    db,
    sql`SELECT h.id, h.name_hash, a.failures, extract(epoch FROM now() - a.window_started_at)::float8 AS age_s,
          h.name_masked, h.id_masked, h.members, d.name AS district, t.name AS town, v.name AS village
        FROM (SELECT 1) one
        LEFT JOIN households h ON h.id_hash = ${idNumberHash(idNumber)}
        LEFT JOIN districts d ON d.id = h.district_id
        LEFT JOIN towns t ON t.id = h.town_id
        LEFT JOIN villages v ON v.id = h.village_id
        LEFT JOIN receipt_attempts a ON a.scope = ${scope}`,
  );
  const window = CHECK_WINDOW_MINUTES * 60;
  if (row?.failures != null && row.failures >= MAX_CHECK_FAILURES_PER_CLIENT && (row.age_s ?? 0) < window) {
    await count(db, "throttled");
    throw new AppError("TOO_MANY_REQUESTS", "查询次数过多，请 15 分钟后再试", undefined, {
      "Retry-After": String(Math.max(1, Math.ceil(window - (row.age_s ?? 0)))),
    });
  }
  const typed = householdNameHash(name);
  const match = sameDigest(typed, row?.name_hash ?? DUMMY) && !!row?.id;
  if (!match || !row?.id) {
    await rows(
      db,
      sql`INSERT INTO receipt_attempts (scope, failures, window_started_at) VALUES (${scope}, 1, now())
          ON CONFLICT (scope) DO UPDATE SET
            failures = CASE WHEN receipt_attempts.window_started_at < now() - make_interval(mins => ${CHECK_WINDOW_MINUTES})
                            THEN 1 ELSE receipt_attempts.failures + 1 END,
            window_started_at = CASE WHEN receipt_attempts.window_started_at < now() - make_interval(mins => ${CHECK_WINDOW_MINUTES})
                            THEN now() ELSE receipt_attempts.window_started_at END`,
    );
    await count(db, "not_found");
    throw new AppError("NOT_FOUND", NOT_FOUND_MESSAGE);
  }
  const householdId = Number(row.id);
  // One round trip: the household's payments and cases, and the lookup counted.
  const [own] = await rows<{ payments: OwnPaymentRow[] | string; cases: CaseRow[] | string }>(
    db,
    sql`WITH ${countCte("found")}
        SELECT (SELECT v FROM relaxed) AS relaxed,
          (SELECT coalesce(json_agg(p), '[]'::json) FROM (${ownPaymentsSql(householdId)}) p) AS payments,
          (SELECT coalesce(json_agg(c), '[]'::json) FROM (
             SELECT year, grade, method, amount::text AS amount, stage, stage_dates FROM housing_cases
             WHERE household_id = ${householdId} AND status = 'active' ORDER BY year DESC) c) AS cases`,
  );
  const parsed = <T>(v: T[] | string): T[] => (typeof v === "string" ? JSON.parse(v) : v);
  const payments = parsed(own.payments).map(ownPayment);
  const cases = parsed(own.cases);
  return {
    household: {
      nameMasked: row.name_masked ?? "",
      idMasked: row.id_masked ?? "",
      district: row.district ?? "",
      town: row.town ?? "",
      village: row.village ?? "",
      members: Number(row.members),
    },
    payments,
    cases: cases.map((c) => {
      const dates = (typeof c.stage_dates === "string" ? JSON.parse(c.stage_dates) : c.stage_dates) as Record<
        string,
        string
      >;
      return {
        year: Number(c.year),
        grade: `${c.grade}级`,
        method: CASE_METHOD_LABELS[c.method],
        amount: c.amount,
        stage: CASE_STAGE_LABELS[c.stage],
        stages: (Object.keys(CASE_STAGE_LABELS) as CaseStage[]).map((s) => ({
          stage: s,
          label: CASE_STAGE_LABELS[s],
          on: dates[s] ?? null,
        })),
      };
    }),
    reportToken: reportToken(householdId, now),
  };
}

const TOKEN_TTL_S = 3600;

/** household id + expiry, signed with the server key. Carries no personal data. */
export function reportToken(householdId: number, now = new Date()): string {
  const exp = Math.floor(now.getTime() / 1000) + TOKEN_TTL_S;
  return `${householdId}.${exp}.${hmacHex("payment-report-token", `${householdId}.${exp}`).slice(0, 40)}`;
}

function householdOfToken(token: string, now = new Date()): number | null {
  const m = /^(\d{1,10})\.(\d{10})\.([0-9a-f]{40})$/.exec(token ?? "");
  if (!m) return null;
  if (Number(m[2]) < now.getTime() / 1000) return null;
  const expected = hmacHex("payment-report-token", `${m[1]}.${m[2]}`).slice(0, 40);
  return sameDigest(expected, m[3]) ? Number(m[1]) : null;
}

const PROGRAMME_CATEGORY: Record<Programme, string> = {
  housing: "housing",
  dividend: "industry",
  education: "education",
  health: "health",
  microcredit: "microfinance",
  employment: "employment",
  other: "fund_management",
};

export interface MissingPaymentReport {
  token: string;
  paymentId: number;
  note?: string | null;
  reporter: { anonymous: true } | { anonymous: false; name: string; phone: string; contact?: "phone" | "sms" | "none" };
  idempotencyKey?: string;
}

/**
 * "没收到这笔钱": a complaint into the hotline about one of the household's own payments, linked to it.
 * The token proves the client looked the household up a moment ago; the ticket and the link are
 * written together.
 */
export async function reportMissingPayment(db: Db, input: MissingPaymentReport, now = new Date()): Promise<FileResult> {
  const householdId = householdOfToken(input.token, now);
  if (householdId == null) throw new AppError("GONE", "查询已过期，请重新查询本人补贴后再反映");
  const [p] = await rows<{
    id: number;
    programme: Programme;
    period: string;
    amount: string;
    district: string;
    town: string;
    village: string;
  }>(
    db,
    sql`SELECT p.id, p.programme, p.period, p.amount::text AS amount, d.name AS district, t.name AS town, v.name AS village
        FROM household_payments p JOIN households h ON h.id = p.household_id
        JOIN districts d ON d.id = h.district_id JOIN towns t ON t.id = h.town_id JOIN villages v ON v.id = h.village_id
        WHERE p.id = ${input.paymentId} AND p.household_id = ${householdId} AND p.status = 'active'`,
  );
  if (!p) throw validationFailed("没有这条发放记录", [{ path: "paymentId", message: "没有这条发放记录" }]);
  const note = (input.note ?? "").trim().slice(0, 1000);
  const label = PROGRAMME_LABELS[p.programme];
  return db.transaction(async (tx) => {
    const result = await fileTicket(
      tx,
      {
        kind: "complaint",
        category: PROGRAMME_CATEGORY[p.programme],
        title: `没收到这笔钱：${label}（${p.period}）`,
        description: `“查询本人补贴”显示本户 ${p.period} ${label} ${p.amount} 元（发放记录第 ${p.id} 号）已发放，但本户没有收到这笔钱。${note ? `\n补充说明：${note}` : ""}`,
        district: p.district,
        town: p.town,
        village: p.village,
        reporter: input.reporter,
      } as never,
      { channel: "web", idempotencyKey: input.idempotencyKey },
    );
    if (result.created) {
      await rows(
        tx,
        sql`INSERT INTO payment_reports (ticket_id, payment_id) VALUES (${result.ticket.id}, ${p.id}) ON CONFLICT DO NOTHING`,
      );
      await appendAudit(tx, {
        actorId: null,
        action: "household_payment.reported_missing",
        subjectType: "household_payment",
        subjectId: String(p.id),
        details: { ticket: result.ticket.number },
      });
    }
    return result;
  });
}

/** Lookups per day and outcome (for operations), newest first. */
export async function checkCounts(db: Db, days = 30) {
  return rows<{ day: string; outcome: string; n: number }>(
    db,
    sql`SELECT day::text AS day, outcome, n::int AS n FROM payment_check_counts
        WHERE day > (now() AT TIME ZONE 'Asia/Shanghai')::date - ${days}::int ORDER BY day DESC, outcome`,
  );
}
