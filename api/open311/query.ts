import { MAX_SPAN_DAYS, type RequestQuery } from "../../domain/open311/requests";
import { OPEN311_JURISDICTION, parseServiceCode } from "../../domain/open311/services";
import { badRequest311, notFound311 } from "./errors";

// Query-string rules of GET requests.{fmt}, pure so they are unit-tested. GeoReport "optional" means an
// empty parameter is the same as an absent one.

const W3_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 86_400_000;
const MAX_IDS = 200;

function present(value: string | undefined | null): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** jurisdiction_id is optional here (one jurisdiction), but a wrong one is a 404 as the spec says. */
export function checkJurisdiction(value: string | undefined | null) {
  const j = present(value);
  if (j && j.toLowerCase() !== OPEN311_JURISDICTION) {
    throw notFound311(`jurisdiction_id “${j}” 不存在：本接口只服务 ${OPEN311_JURISDICTION}`);
  }
}

function parseW3(name: string, value: string): Date {
  const d = new Date(value);
  if (!W3_DATETIME.test(value) || Number.isNaN(d.getTime())) {
    throw badRequest311(`${name} 须为带时区的 W3C 日期时间，例如 2026-11-01T00:00:00+08:00 或 2026-11-01T00:00:00Z`);
  }
  return d;
}

/** GET requests' parameters → a domain query; `knownCategories` checks service codes. */
export function parseRequestQuery(
  params: Record<string, string | undefined>,
  knownCategories: Set<string>,
  now = new Date(),
): RequestQuery {
  const ids = list(params.service_request_id);
  if (ids.length > MAX_IDS) throw badRequest311(`service_request_id 一次最多 ${MAX_IDS} 个`);
  // "This overrides all other arguments."
  if (ids.length) return { ids };

  const errors: string[] = [];
  const serviceCodes: NonNullable<RequestQuery["serviceCodes"]> = [];
  for (const code of list(params.service_code)) {
    const parsed = parseServiceCode(code);
    if (!parsed || !knownCategories.has(parsed.category)) errors.push(`未知的 service_code：${code}`);
    else serviceCodes.push(parsed);
  }
  const statuses: ("open" | "closed")[] = [];
  for (const s of list(params.status)) {
    if (s === "open" || s === "closed") statuses.push(s);
    else errors.push(`status 只能是 open 或 closed（可用逗号分隔），收到：${s}`);
  }
  let start: Date | undefined;
  let end: Date | undefined;
  try {
    const startText = present(params.start_date);
    const endText = present(params.end_date);
    start = startText ? parseW3("start_date", startText) : undefined;
    end = endText ? parseW3("end_date", endText) : undefined;
  } catch (err) {
    errors.push((err as Error).message);
  }
  if (errors.length) throw badRequest311(...errors);

  // Unspecified ends default to "the most recent 90 days" (or 90 days from/to the given end).
  if (!start && !end) {
    end = now;
    start = new Date(now.getTime() - MAX_SPAN_DAYS * DAY_MS);
  } else if (!start) {
    start = new Date(end!.getTime() - MAX_SPAN_DAYS * DAY_MS);
  } else if (!end) {
    end = new Date(start.getTime() + MAX_SPAN_DAYS * DAY_MS);
  }
  if (start! > end!) throw badRequest311("start_date 不能晚于 end_date");
  if (end!.getTime() - start!.getTime() > MAX_SPAN_DAYS * DAY_MS) {
    throw badRequest311(`start_date 与 end_date 之间不能超过 ${MAX_SPAN_DAYS} 天`);
  }
  return { serviceCodes, statuses: [...new Set(statuses)], start, end };
}
