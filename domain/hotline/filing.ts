import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { canonicalJson } from "../../lib/canonical-json";
import { seal, sha256Hex } from "../../lib/crypto";
import { AppError } from "../../lib/errors";
import { getNoticeForObjection } from "../notices/objection-target";
import { matchPlace, UnknownPlaceError } from "../reference/places";
import { chargeSubmission, type SubmissionClient } from "../throttle/submission-limits";
import { ticketFilingEntry } from "../transparency/entries";
import { loadCalendar } from "./calendar";
import { chinaDate, filingDeadlines } from "./deadlines";
import { type Channel, FileTicketInput, type ParsedTicketInput } from "./input";
import { hashIdempotencyKey, hashReceipt, newReceipt, receiptForIdempotencyKey } from "./receipts";
import { type RefPlace, referenceData } from "./reference-cache";
import { route } from "./routing";
import { insertTicket, type NewTicketRow } from "./ticket-writer";
import { assessTier } from "./tiering";
import { type PublicDeadlines, publicDeadlines } from "./views";

// Filing a ticket (every channel): validate against the reference data, tier, route, set the deadlines,
// encrypt the reporter's identity, and write ticket + identity + timeline in ONE statement (atomic; see
// ticket-writer.ts). A 201 therefore means committed. With an idempotency key, a retry of the same body gets
// the same ticket and receipt back; the same key with another body is a 409.

export type { FileTicketInput as FileTicketInputType } from "./input";
export { FileTicketInput } from "./input";

export interface FileContext {
  channel: Channel;
  /** Idempotency-Key header or the form's hidden token. */
  idempotencyKey?: string | null;
  /** Staff user who recorded it (operator intake). */
  operatorId?: number | null;
  /** Who sent a public submission (address per lib/client-address.ts), for the per-client filing limit. */
  client?: SubmissionClient | null;
  receivedAt?: Date;
  isDemo?: boolean;
}

export interface FiledTicket {
  id: number;
  number: string;
  status: string;
  kind: string;
  category: string;
  tier: string;
  handlingLevel: string;
  handlingUnit: string;
  receivedAt: string;
  deadlines: PublicDeadlines;
}

export interface FileResult {
  ticket: FiledTicket;
  /** Shown once to the reporter; only its HMAC is stored. */
  receipt: string;
  /** false when an idempotent retry returned the existing ticket */
  created: boolean;
}

export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{16,128}$/;

function field(path: string, message: string) {
  return new AppError("VALIDATION_FAILED", `请求参数有误：${path} ${message}`, [{ path, message }]);
}

/** The place against the cached reference data; 400 naming the field otherwise. */
function placeOf(ref: RefPlace, input: { district: string; town: string | null; village: string | null }) {
  try {
    return matchPlace(ref, input);
  } catch (err) {
    if (err instanceof UnknownPlaceError) throw field(err.field, err.message);
    throw err;
  }
}

/** The unit a subject names: exact unit name, the district's unit ("民政局" in 高青县), or a town office. */
export function resolveSubjectUnit(ref: RefPlace, text: string | null, districtId: number) {
  if (!text) return null;
  const t = text.replace(/\s/g, "");
  const exact = [...ref.units.values()].find((u) => u.name === t);
  if (exact) return exact;
  const districtName = [...ref.districts.values()].find((d) => d.id === districtId)?.name ?? "";
  const inDistrict = [...ref.units.values()].filter((u) => u.districtId === districtId);
  return (
    inDistrict.find((u) => u.name === `${districtName}${t}`) ??
    inDistrict.find((u) => u.level === "town" && t.length >= 2 && u.name.includes(t.replace(/(人民政府|政府)$/, ""))) ??
    null
  );
}

export async function fileTicket(
  db: Db,
  input: FileTicketInput | ParsedTicketInput,
  ctx: FileContext,
): Promise<FileResult> {
  const parsed = FileTicketInput.safeParse(input);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    throw new AppError("VALIDATION_FAILED", `请求参数有误：${details[0].path} ${details[0].message}`, details);
  }
  const v = parsed.data;
  if (ctx.idempotencyKey != null && !IDEMPOTENCY_KEY.test(ctx.idempotencyKey)) {
    throw new AppError("VALIDATION_FAILED", "Idempotency-Key 须为 16 至 128 个可见 ASCII 字符（建议使用 UUID）", [
      { path: "Idempotency-Key", message: "格式不对" },
    ]);
  }
  const [ref, cal] = await Promise.all([referenceData(db), loadCalendar(db)]);
  const category = ref.categories.get(v.category);
  if (!category) throw field("category", `不是已知的事项类别：${v.category}（见 GET /api/categories）`);

  let place = { district: v.district, town: v.town, village: v.village };
  if (v.kind === "objection" && v.noticeId !== null) {
    let notice: Awaited<ReturnType<typeof getNoticeForObjection>>;
    try {
      notice = await getNoticeForObjection(db, v.noticeId);
    } catch (err) {
      if (err instanceof AppError && err.code === "NOT_FOUND") throw field("noticeId", "没有这条公示");
      throw err;
    }
    if (!notice.inPeriod) {
      throw field("noticeId", `该公示已不在公示期内（公示期至 ${notice.periodEnd}），不能再提出异议`);
    }
    // The objection is about the notice's place.
    place = { district: notice.district, town: notice.town, village: notice.village };
  }
  const resolved = placeOf(ref, place);
  const subjectUnit = resolveSubjectUnit(ref, v.subject?.unit ?? null, resolved.districtId);

  const tier = assessTier({
    kind: v.kind,
    categoryCode: category.code,
    title: v.title,
    description: v.description,
    subjectPost: v.subject?.post,
    subjectUnitLevel: (subjectUnit?.level as "city" | "district" | "town" | undefined) ?? null,
  });
  const routing = route(
    {
      kind: v.kind,
      categoryCode: category.code,
      leadUnitCode: category.leadUnitCode,
      districtCode: resolved.districtCode,
      handlingLevel: tier.handlingLevel,
      subjectUnitCode: subjectUnit?.code ?? null,
    },
    ref.units,
  );
  const receivedAt = ctx.receivedAt ?? new Date();
  const deadlines = filingDeadlines(receivedAt, tier.tier, cal);

  const key = ctx.idempotencyKey ?? null;
  const keyHash = key ? hashIdempotencyKey(key) : null;
  const bodyHash = sha256Hex(canonicalJson(v));
  const receipt = key ? receiptForIdempotencyKey(key) : newReceipt();
  const receiptHash = hashReceipt(receipt);

  let reporter: NewTicketRow["reporter"] = null;
  if (!v.reporter.anonymous) {
    const sealed = seal(
      JSON.stringify({ name: v.reporter.name, phone: v.reporter.phone, contact: v.reporter.contact }),
      "ticket-reporter",
    );
    reporter = { key_id: sealed.keyId, identity_enc: sealed.data, contact_allowed: v.reporter.contact !== "none" };
  }

  // The public transparency log's filing entry: what the public ticket page shows, and a hiding
  // commitment to the content (its salt goes only to the reporter's proof bundle).
  const logEntry = ticketFilingEntry({
    receivedAt,
    kind: v.kind,
    category: category.code,
    district: resolved.district,
    content: {
      title: v.title,
      description: v.description,
      subject: v.subject
        ? { unit: v.subject.unit ?? null, person: v.subject.person ?? null, post: v.subject.post ?? null }
        : null,
    },
  });

  // Staff intake is never limited; a public submission counts against its client's filings.
  if (!ctx.operatorId) await chargeSubmission(db, "filing", ctx.client);

  const row = await insertTicket(db, {
    year: chinaDate(receivedAt).slice(0, 4),
    kind: v.kind,
    category_code: category.code,
    title: v.title,
    description: v.description,
    district_id: resolved.districtId,
    town_id: resolved.townId,
    village_id: resolved.villageId,
    // Only an objection is about a notice (checked above); a stray noticeId on another kind is dropped.
    notice_id: v.kind === "objection" ? v.noticeId : null,
    subject_unit_id: subjectUnit?.id ?? null,
    subject_unit_text: v.subject?.unit ?? null,
    subject_person: v.subject?.person ?? null,
    subject_post: v.subject?.post ?? null,
    channel: ctx.channel,
    tier: tier.tier,
    tier_reason: tier.reason,
    handling_level: tier.handlingLevel,
    routed_unit_id: routing.unit.id,
    supervising_unit_id: routing.supervisingUnit.id,
    supervising_level: routing.supervisingLevel,
    routing_reason: routing.reason,
    received_at: receivedAt.toISOString(),
    accept_due_on: deadlines.acceptDueOn,
    first_response_due_at: deadlines.firstResponseDueAt?.toISOString() ?? null,
    handle_due_on: deadlines.handleDueOn,
    receipt_hash: receiptHash,
    idempotency_key_hash: keyHash,
    body_hash: bodyHash,
    operator_id: ctx.operatorId ?? null,
    is_demo: ctx.isDemo ?? false,
    reporter,
    log_entry: logEntry.template,
    log_secret: logEntry.salt,
    actor_kind: ctx.operatorId ? "staff" : "reporter",
    route_note: `等级 ${tier.tier}（${tier.reason}）；${routing.reason}`,
  });

  if (row) {
    return {
      created: true,
      receipt,
      ticket: {
        id: row.id,
        number: row.number,
        status: row.status,
        kind: v.kind,
        category: category.code,
        tier: tier.tier,
        handlingLevel: tier.handlingLevel,
        handlingUnit: routing.unit.name,
        receivedAt: receivedAt.toISOString(),
        deadlines: publicDeadlines({
          acceptDueOn: deadlines.acceptDueOn,
          handleDueOn: deadlines.handleDueOn,
          firstResponseDueAt: deadlines.firstResponseDueAt,
          returnDueOn: null,
          reviewDueOn: null,
          extendedDays: 0,
          acceptedAt: null,
        }),
      },
    };
  }
  // Conflict on the idempotency key: the same submission again (same ticket) or a different one (409).
  const [existing] = await rows<{
    id: number;
    number: string;
    status: string;
    kind: string;
    category_code: string;
    tier: string;
    handling_level: string;
    unit_name: string;
    received_at: string | Date;
    accept_due_on: string | Date;
    handle_due_on: string | Date;
    first_response_due_at: string | Date | null;
    return_due_on: string | Date | null;
    review_due_on: string | Date | null;
    extended_days: number;
    accepted_at: string | Date | null;
    body_hash: string;
  }>(
    db,
    sql`SELECT t.id, t.number, t.status, t.kind, t.category_code, t.tier, t.handling_level, u.name AS unit_name,
      t.received_at, t.accept_due_on::text AS accept_due_on, t.handle_due_on::text AS handle_due_on,
      t.first_response_due_at, t.return_due_on::text AS return_due_on, t.review_due_on::text AS review_due_on,
      t.extended_days, t.accepted_at, t.body_hash
      FROM tickets t JOIN units u ON u.id = t.routed_unit_id WHERE t.idempotency_key_hash = ${keyHash}`,
  );
  if (!existing)
    throw new AppError("SERVICE_UNAVAILABLE", "暂时无法保存，请稍后重试", undefined, { "Retry-After": "2" });
  if (existing.body_hash !== bodyHash) {
    throw new AppError(
      "CONFLICT",
      "这个 Idempotency-Key 已用于另一份不同内容的提交；新的提交请使用新的 Idempotency-Key",
      [{ path: "Idempotency-Key", message: "已用于不同内容" }],
    );
  }
  const iso = (d: string | Date | null) => (d === null ? null : new Date(d));
  return {
    created: false,
    receipt,
    ticket: {
      id: existing.id,
      number: existing.number,
      status: existing.status,
      kind: existing.kind,
      category: existing.category_code,
      tier: existing.tier,
      handlingLevel: existing.handling_level,
      handlingUnit: existing.unit_name,
      receivedAt: new Date(existing.received_at).toISOString(),
      deadlines: publicDeadlines({
        acceptDueOn: String(existing.accept_due_on),
        handleDueOn: String(existing.handle_due_on),
        firstResponseDueAt: iso(existing.first_response_due_at),
        returnDueOn: existing.return_due_on === null ? null : String(existing.return_due_on),
        reviewDueOn: existing.review_due_on === null ? null : String(existing.review_due_on),
        extendedDays: existing.extended_days,
        acceptedAt: iso(existing.accepted_at),
      }),
    },
  };
}
