import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { validationFailed } from "../../lib/errors";
import { resolvePlace, UnknownPlaceError } from "../reference/places";
import { type AllocationValues, checkAmount, checkYear } from "./allocations";
import { parseLevel } from "./labels";

/** An allocation as a publisher enters it (names, amount as a decimal string). */
export interface AllocationInput {
  year: number;
  level: string;
  fundName: string;
  docNumber: string;
  district: string;
  town?: string | null;
  village?: string | null;
  projectId?: number | null;
  category: string;
  amount: string | number;
  purpose?: string;
  publishedOn?: string;
}

const fail = (path: string, message: string) => validationFailed(message, [{ path, message }]);

export function moneyString(v: string | number): string {
  // A JSON number is turned back into its shortest decimal text (never added or scaled as a float).
  return typeof v === "number" ? (Number.isFinite(v) ? String(v) : "x") : v;
}

export async function toAllocationValues(db: Db, input: AllocationInput): Promise<AllocationValues> {
  checkYear(input.year);
  const level = parseLevel(input.level);
  if (!level) throw fail("level", "资金级次应为 中央、省级、市级 或 县级");
  const amount = checkAmount(moneyString(input.amount));
  let place: Awaited<ReturnType<typeof resolvePlace>>;
  try {
    place = await resolvePlace(db, input);
  } catch (err) {
    if (err instanceof UnknownPlaceError) throw fail(err.field, err.message);
    throw err;
  }
  const [cat] = await rows<{ code: string }>(
    db,
    sql`SELECT code FROM categories WHERE code = ${input.category} OR name = ${input.category}`,
  );
  if (!cat) throw fail("category", `未知的类别：${input.category}`);
  return {
    year: input.year,
    level,
    fundName: input.fundName.trim(),
    docNumber: input.docNumber.trim(),
    districtId: place.districtId,
    townId: place.townId,
    villageId: place.villageId,
    projectId: input.projectId ?? null,
    categoryCode: cat.code,
    amount,
    purpose: input.purpose?.trim() ?? "",
    publishedOn: input.publishedOn ?? new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10),
  };
}

/** A correction's changed fields, resolved (place fields only when the district is given). */
export async function toAllocationPatch(db: Db, input: Partial<AllocationInput>): Promise<Partial<AllocationValues>> {
  const out: Partial<AllocationValues> = {};
  if (input.year !== undefined) {
    checkYear(input.year);
    out.year = input.year;
  }
  if (input.level !== undefined) {
    const level = parseLevel(input.level);
    if (!level) throw fail("level", "资金级次应为 中央、省级、市级 或 县级");
    out.level = level;
  }
  if (input.amount !== undefined) out.amount = checkAmount(moneyString(input.amount));
  if (input.fundName !== undefined) out.fundName = input.fundName.trim();
  if (input.docNumber !== undefined) out.docNumber = input.docNumber.trim();
  if (input.purpose !== undefined) out.purpose = input.purpose.trim();
  if (input.publishedOn !== undefined) out.publishedOn = input.publishedOn;
  if (input.projectId !== undefined) out.projectId = input.projectId;
  if (input.district !== undefined) {
    try {
      const p = await resolvePlace(db, { district: input.district, town: input.town, village: input.village });
      out.districtId = p.districtId;
      out.townId = p.townId;
      out.villageId = p.villageId;
    } catch (err) {
      if (err instanceof UnknownPlaceError) throw fail(err.field, err.message);
      throw err;
    }
  } else if (input.town !== undefined || input.village !== undefined) {
    throw fail(input.town !== undefined ? "town" : "village", "更正地点时请同时填写区县");
  }
  if (input.category !== undefined) {
    const [cat] = await rows<{ code: string }>(
      db,
      sql`SELECT code FROM categories WHERE code = ${input.category} OR name = ${input.category}`,
    );
    if (!cat) throw fail("category", `未知的类别：${input.category}`);
    out.categoryCode = cat.code;
  }
  return out;
}
