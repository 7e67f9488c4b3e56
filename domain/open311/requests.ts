import { and, desc, eq, gte, inArray, lte, or, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "../../db/client";
import { categories, districts, tickets, towns, units } from "../../db/schema";
import { FINAL_STATUSES, isTicketStatus, STATUS_LABELS } from "../hotline/lifecycle";
import { publicTicketTitle } from "../hotline/public-summary";
import { OPEN311_KINDS, serviceCode } from "./services";

// The public view of tickets as GeoReport service requests. Anyone may call GET /requests without a
// key, so this is the PUBLIC projection and is built from an explicit column list — never `select *`:
//
// - never the reporter (name, phone, e-mail, device, account) nor the receipt;
// - neither the free-text description nor the reporter's title: reporters routinely write their own
//   name, address, ID-card or phone number into both, and a 举报's text names the people it accuses.
//   `description` carries the public title instead (domain/hotline/public-summary.ts: kind and
//   category, or a staff-approved summary with personal data redacted), and nothing at all for 举报
//   (report) tickets, whose reporter most needs protecting;
// - not the subject (unit / person / post) a ticket is about, nor internal notes or staff names;
// - the place no finer than the town, and for 举报 only the district: in a village, "a report about
//   fund misuse from X village" is enough to guess who filed it;
// - status_notes is the fixed public label of the status, not the handler's reply text (a reply
//   addressed to the reporter can quote their circumstances; the reporter reads it on /track).
//
// The handling unit (agency_responsible) and the deadline (expected_datetime) are public facts of the
// procedure, shown as on the public statistics.

export interface Open311Request {
  service_request_id: string;
  status: "open" | "closed";
  status_notes: string | null;
  service_name: string | null;
  service_code: string;
  description: string | null;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string | null;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
}

export interface RequestQuery {
  ids?: string[];
  serviceCodes?: { kind: string; category: string }[];
  start?: Date;
  end?: Date;
  statuses?: ("open" | "closed")[];
}

/** GeoReport: "default query limit is a span of 90 days or first 1000 requests, whichever is smallest". */
export const MAX_REQUESTS = 1000;
export const MAX_SPAN_DAYS = 90;

const KIND_NAME = Object.fromEntries(OPEN311_KINDS.map((k) => [k.kind, k.name]));
const FINAL = FINAL_STATUSES as readonly string[];

/** A date (YYYY-MM-DD) as the end of that day in China Standard Time, as GeoReport's w3 datetime. */
function endOfDayCst(day: string | null): string | null {
  return day ? `${day}T23:59:59+08:00` : null;
}

type PublicRow = {
  number: string;
  kind: string;
  categoryCode: string;
  categoryName: string;
  publicSummary: string | null;
  status: string;
  district: string;
  town: string | null;
  agency: string | null;
  receivedAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  acceptDueOn: string;
  handleDueOn: string;
  acceptedAt: Date | null;
  extendedDays: number;
};

/** Pure: one ticket row as a public GeoReport request. */
export function toOpen311Request(row: PublicRow): Open311Request {
  const closed = FINAL.includes(row.status);
  const isReport = row.kind === "report";
  const label = isTicketStatus(row.status) ? STATUS_LABELS[row.status] : row.status;
  const notes = row.extendedDays > 0 && !closed ? `${label}（办理期限已延长 ${row.extendedDays} 日）` : label;
  return {
    service_request_id: row.number,
    status: closed ? "closed" : "open",
    status_notes: notes,
    service_name: `${KIND_NAME[row.kind] ?? row.kind}·${row.categoryName}`,
    service_code: serviceCode(row.kind, row.categoryCode),
    description: isReport ? null : publicTicketTitle(row),
    agency_responsible: row.agency,
    service_notice: null,
    requested_datetime: row.receivedAt.toISOString(),
    updated_datetime: (closed && row.closedAt ? row.closedAt : row.updatedAt).toISOString(),
    // Before acceptance the deadline that runs is the acceptance decision; after, the handling one.
    expected_datetime: closed ? null : endOfDayCst(row.acceptedAt ? row.handleDueOn : row.acceptDueOn),
    address: isReport || !row.town ? row.district : `${row.district}${row.town}`,
    address_id: null,
    zipcode: null,
    lat: null,
    long: null,
    media_url: null,
  };
}

function baseQuery(db: Db) {
  const t = alias(towns, "t");
  const u = alias(units, "u");
  return db
    .select({
      number: tickets.number,
      kind: tickets.kind,
      categoryCode: tickets.categoryCode,
      categoryName: categories.name,
      publicSummary: tickets.publicSummary,
      status: tickets.status,
      district: districts.name,
      town: t.name,
      agency: u.name,
      receivedAt: tickets.receivedAt,
      updatedAt: tickets.updatedAt,
      closedAt: tickets.closedAt,
      acceptDueOn: tickets.acceptDueOn,
      handleDueOn: tickets.handleDueOn,
      acceptedAt: tickets.acceptedAt,
      extendedDays: tickets.extendedDays,
    })
    .from(tickets)
    .innerJoin(categories, eq(categories.code, tickets.categoryCode))
    .innerJoin(districts, eq(districts.id, tickets.districtId))
    .leftJoin(t, eq(t.id, tickets.townId))
    .leftJoin(u, eq(u.id, tickets.routedUnitId));
}

/**
 * GET requests: by ids (which override every other filter, as the spec says) or by service codes,
 * requested-date range and open/closed, newest first, at most MAX_REQUESTS.
 */
export async function listOpen311Requests(db: Db, q: RequestQuery): Promise<Open311Request[]> {
  const where: SQL[] = [];
  if (q.ids?.length) {
    where.push(
      inArray(
        tickets.number,
        q.ids.map((id) => id.toUpperCase()),
      ),
    );
  } else {
    if (q.start) where.push(gte(tickets.receivedAt, q.start));
    if (q.end) where.push(lte(tickets.receivedAt, q.end));
    if (q.serviceCodes?.length) {
      where.push(
        or(...q.serviceCodes.map((s) => and(eq(tickets.kind, s.kind), eq(tickets.categoryCode, s.category))))!,
      );
    }
    if (q.statuses?.length === 1) {
      where.push(
        q.statuses[0] === "closed"
          ? inArray(tickets.status, [...FINAL])
          : inArray(
              tickets.status,
              (Object.keys(STATUS_LABELS) as string[]).filter((s) => !FINAL.includes(s)),
            ),
      );
    }
  }
  const list = (await baseQuery(db)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(tickets.receivedAt), desc(tickets.id))
    .limit(MAX_REQUESTS)) as PublicRow[];
  return list.map(toOpen311Request);
}

/** GET requests/{id}: the public request, or undefined. */
export async function getOpen311Request(db: Db, number: string): Promise<Open311Request | undefined> {
  const [row] = (await baseQuery(db).where(eq(tickets.number, number.trim().toUpperCase())).limit(1)) as PublicRow[];
  return row ? toOpen311Request(row) : undefined;
}
