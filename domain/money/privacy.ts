import { addDays } from "../../lib/china-date";

// The privacy rules for household data, in one place. Every public page, API, export, feed and search
// result shows a household only through these functions:
//  - a person's name masked (张*明, 李*, 欧**明), an ID number at most as 3703**********1234,
//    never a phone or bank card number;
//  - household-level lists public only while their 公示 period and objection handling last, plus a
//    configurable retention; afterwards only aggregates;
//  - aggregates with fewer than 3 households suppressed (as on /stats).

/** Aggregates over fewer households than this are not shown. */
export const SUPPRESS_BELOW = 3;

/** 张三丰 → 张*丰, 李四 → 李*, 欧阳小明 → 欧**明. Non-Chinese names keep only their first letter. */
export function maskName(name: string): string {
  const chars = [...name.trim().replace(/\s+/g, "")];
  if (chars.length === 0) return "*";
  if (chars.length === 1) return `${chars[0]}*`;
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${"*".repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/** Canonical form of a typed ID number: no spaces or dashes, upper-case X. */
export function normalizeIdNumber(input: string): string {
  return input.replace(/[\s-]/g, "").toUpperCase();
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = "10X98765432";

/** The check character of the first 17 digits of a resident ID number (GB 11643). */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

/** Is this (normalised) an 18-character resident ID number with a correct check character? */
export function isValidIdNumber(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  return idCheckChar(id.slice(0, 17)) === id[17];
}

/** 370322198001011234 → 3703**********1234 (the most of an ID number ever shown). */
export function maskIdNumber(id: string): string {
  const s = normalizeIdNumber(id);
  if (s.length < 9) return "*".repeat(s.length);
  return `${s.slice(0, 4)}${"*".repeat(s.length - 8)}${s.slice(-4)}`;
}

// Mobile numbers (with or without +86 and separators), landlines with area code, bank card numbers
// (12–19 digits) and ID numbers anywhere in free text.
const ID_IN_TEXT = /(?<![\dA-Za-z])\d{6}(?:19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx](?![\dA-Za-z])/g;
const MOBILE_IN_TEXT = /(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)/g;
const LANDLINE_IN_TEXT = /(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)/g;
const LONG_DIGITS_IN_TEXT = /(?<!\d)\d(?:[\s-]?\d){11,18}(?!\d)/g;

/**
 * Free text a publisher typed (a return reason, a note) made safe to publish: ID numbers masked,
 * phone and bank card numbers removed.
 */
export function scrubPersonalText(text: string): string {
  return text
    .replace(ID_IN_TEXT, (m) => maskIdNumber(m))
    .replace(MOBILE_IN_TEXT, "［电话已隐去］")
    .replace(LANDLINE_IN_TEXT, "［电话已隐去］")
    .replace(LONG_DIGITS_IN_TEXT, "［号码已隐去］");
}

/**
 * The last day a household-level list may be public: the later of the notice period's end and the
 * day its last objection was handled, plus the retention days. Null when the list was never published.
 */
export function listPublicUntil(
  list: { periodEnd: string | null; lastObjectionClosedOn?: string | null; objectionsOpen?: boolean },
  retentionDays: number,
): string | null {
  if (!list.periodEnd) return null;
  const base =
    list.lastObjectionClosedOn && list.lastObjectionClosedOn > list.periodEnd
      ? list.lastObjectionClosedOn
      : list.periodEnd;
  return addDays(base, retentionDays);
}

/** Is a household-level list public on `today` (China date)? Open objections keep it public. */
export function isListPublic(
  list: {
    periodStart: string | null;
    periodEnd: string | null;
    lastObjectionClosedOn?: string | null;
    objectionsOpen?: boolean;
    withdrawn?: boolean;
  },
  today: string,
  retentionDays: number,
): boolean {
  if (list.withdrawn || !list.periodStart || today < list.periodStart) return false;
  if (list.objectionsOpen) return true;
  const until = listPublicUntil(list, retentionDays);
  return until != null && today <= until;
}

/** A count of households, or null when it must not be shown. Zero is shown (nothing to protect). */
export function suppressCount(n: number): number | null {
  return n > 0 && n < SUPPRESS_BELOW ? null : n;
}

/** An aggregate cell: households, amount; both hidden when the households are fewer than 3. */
export function publishAggregate<T extends { households: number; amount: string }>(
  cell: T,
): Omit<T, "households" | "amount"> & { households: number | null; amount: string | null; suppressed: boolean } {
  const hide = cell.households > 0 && cell.households < SUPPRESS_BELOW;
  return { ...cell, households: hide ? null : cell.households, amount: hide ? null : cell.amount, suppressed: hide };
}
