import type { Db } from "../../db/client";
import { open311Submissions } from "../../db/schema";
import { AppError } from "../../lib/errors";
import { fileTicket } from "../hotline/filing";
import type { FileTicketInput } from "../hotline/input";
import { referenceData } from "../hotline/reference-cache";
import type { SubmissionClient } from "../throttle/submission-limits";
import type { Open311Client } from "./keys";
import { OPEN311_KINDS, parseServiceCode } from "./services";

// POST requests.{fmt}: a GeoReport form → the hotline's one filing verb (fileTicket, channel "open311").
//
// GeoReport field        → ticket
//   service_code         → kind + category ("report-housing")
//   description          → description (required here: a ticket without one cannot be handled)
//   attribute[title]     → title (default: the service name, e.g. "投诉·危房改造" — never the
//                          description's first line, since the title is public and the description not)
//   attribute[district]  → district (code or name; required), attribute[town], attribute[village]
//   attribute[notice_id] → noticeId (objections)
//   attribute[subject_*] → subject { unit, person, post }
//   attribute[anonymous], last_name + first_name, phone → reporter (anonymous unless asked otherwise)
//   address_string, lat/long, address_id, media_url → kept in the description as text ("地点：…")
//                          for the handler; never shown publicly (the public view has no description).
//   email, device_id, account_id → not stored: the reporter's contact is the phone, encrypted.
//
// Open311 has no receipt: the response carries service_request_id = the ticket number, plus — once,
// like on the web form — the receipt code in an extra `receipt` field and in service_notice (what
// generic clients display), so the reporter can follow the ticket on /track.

export interface Open311Created {
  service_request_id: string;
  service_notice: string;
  /** Extension: the receipt code (查询码), returned only in this response. */
  receipt: string;
}

/** GeoReport parameter names for the ticket fields, for error messages a client can map to its form. */
const FIELD_NAMES: Record<string, string> = {
  kind: "service_code",
  category: "service_code",
  title: "attribute[title]",
  description: "description",
  district: "attribute[district]",
  town: "attribute[town]",
  village: "attribute[village]",
  noticeId: "attribute[notice_id]",
  "subject.unit": "attribute[subject_unit]",
  "subject.person": "attribute[subject_person]",
  "subject.post": "attribute[subject_post]",
  reporter: "attribute[anonymous]",
  "reporter.anonymous": "attribute[anonymous]",
  "reporter.name": "last_name",
  "reporter.phone": "phone",
  "Idempotency-Key": "Idempotency-Key",
};

function fieldError(path: string, message: string) {
  return new AppError("VALIDATION_FAILED", `${path} ${message}`, [{ path, message }]);
}

function value(form: URLSearchParams, name: string): string | undefined {
  const v = form.get(name)?.trim();
  return v ? v : undefined;
}

/**
 * Pure: the GeoReport form as the filing input (the validation itself is fileTicket's). `districts`
 * maps district codes to names so clients may send either.
 */
export function formToTicketInput(
  form: URLSearchParams,
  service: { kind: string; category: string; name: string },
  districtNames: Map<string, string>,
): FileTicketInput {
  const attr = (code: string) => value(form, `attribute[${code}]`);
  const notes: string[] = [];
  const address = value(form, "address_string");
  if (address) notes.push(`地点：${address}`);
  const lat = value(form, "lat");
  const long = value(form, "long");
  if (lat && long) {
    const la = Number(lat);
    const lo = Number(long);
    if (!Number.isFinite(la) || !Number.isFinite(lo) || Math.abs(la) > 90 || Math.abs(lo) > 180) {
      throw fieldError("lat/long", "须为 WGS84 经纬度数值");
    }
    notes.push(`坐标（WGS84）：${la}, ${lo}`);
  } else if (lat || long) {
    throw fieldError("lat/long", "lat 和 long 须同时提交");
  }
  const addressId = value(form, "address_id");
  if (addressId) notes.push(`地址编号：${addressId.slice(0, 100)}`);
  const mediaUrl = value(form, "media_url");
  if (mediaUrl) {
    if (!/^https?:\/\/\S+$/i.test(mediaUrl) || mediaUrl.length > 2000)
      throw fieldError("media_url", "须为 http(s) 网址");
    notes.push(`附件链接：${mediaUrl}`);
  }
  const text = value(form, "description") ?? "";
  const description = notes.length && text ? `${text}\n\n${notes.join("\n")}` : text;

  const districtAttr = attr("district");
  const district = districtAttr ? (districtNames.get(districtAttr) ?? districtAttr) : "";

  const lastName = value(form, "last_name") ?? "";
  const firstName = value(form, "first_name") ?? "";
  const name = `${lastName}${firstName}`; // Chinese order: family name first
  const phone = value(form, "phone");
  const anonymousAttr = attr("anonymous");
  if (anonymousAttr && anonymousAttr !== "true" && anonymousAttr !== "false") {
    throw fieldError("attribute[anonymous]", "只能是 true 或 false");
  }
  const anonymous = anonymousAttr ? anonymousAttr === "true" : !name && !phone;

  const subject = {
    unit: attr("subject_unit") ?? null,
    person: attr("subject_person") ?? null,
    post: attr("subject_post") ?? null,
  };
  return {
    kind: service.kind as FileTicketInput["kind"],
    category: service.category,
    // Not the start of the description: the title is public (GET requests) and the description is not.
    title: attr("title") ?? service.name,
    description,
    district,
    town: attr("town") ?? null,
    village: attr("village") ?? null,
    noticeId: attr("notice_id") ?? null,
    subject: subject.unit || subject.person || subject.post ? subject : null,
    // Anonymous: whatever name or phone the client sent is dropped here and never reaches storage.
    reporter: anonymous ? { anonymous: true } : ({ anonymous: false, name, phone: phone ?? "" } as never),
  };
}

/** Rewrite fileTicket's field paths into GeoReport parameter names. */
function renameFields(err: unknown): unknown {
  if (!(err instanceof AppError) || !Array.isArray(err.details)) return err;
  const details = (err.details as { path?: string; message?: string }[]).map((d) => ({
    ...d,
    path: d.path !== undefined ? (FIELD_NAMES[d.path] ?? d.path) : d.path,
  }));
  const first = details[0];
  const message = first ? `${first.path} ${first.message}` : err.message;
  return new AppError(err.code, message, details, err.headers);
}

export async function submitOpen311Request(
  db: Db,
  client: Open311Client,
  form: URLSearchParams,
  opts: { idempotencyKey?: string; submitter?: SubmissionClient | null } = {},
): Promise<Open311Created> {
  const code = value(form, "service_code");
  if (!code) throw fieldError("service_code", "必填：见 services.json");
  const ref = await referenceData(db);
  const service = parseServiceCode(code);
  if (!service || !ref.categories.has(service.category)) {
    throw new AppError("NOT_FOUND", `service_code “${code}” 不存在`);
  }
  if (!value(form, "description")) throw fieldError("description", "必填：请描述反映的问题");
  const districtNames = new Map([...ref.districts.values()].map((d) => [d.code, d.name]));
  const kindName = OPEN311_KINDS.find((k) => k.kind === service.kind)!.name;
  const serviceName = `${kindName}·${ref.categories.get(service.category)!.name}`;
  const input = formToTicketInput(form, { ...service, name: serviceName }, districtNames);
  try {
    return await db.transaction(async (tx) => {
      const result = await fileTicket(tx, input, {
        channel: "open311",
        // Scoped by client, so two applications' keys can never name each other's submissions.
        idempotencyKey: opts.idempotencyKey ? `open311:${client.id}:${opts.idempotencyKey}` : undefined,
        client: opts.submitter,
      });
      await tx
        .insert(open311Submissions)
        .values({ ticketId: result.ticket.id, clientId: client.id })
        .onConflictDoNothing();
      const t = result.ticket;
      return {
        service_request_id: t.number,
        service_notice:
          `已登记为工单 ${t.number}，承办单位：${t.handlingUnit}。` +
          `查询码 ${result.receipt}（只显示这一次，请妥善保存），凭工单编号和查询码可在“办理查询”页面跟踪办理进度、补充材料和评价。`,
        receipt: result.receipt,
      };
    });
  } catch (err) {
    throw renameFields(err);
  }
}
