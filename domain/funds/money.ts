// Money is a decimal string end to end (yuan, 2 places). These helpers never turn it into a float.

export type MoneyProblem = "empty" | "negative" | "too_many_decimals" | "too_large" | "malformed";

export const MONEY_PROBLEM_TEXT: Record<MoneyProblem, string> = {
  empty: "金额不能为空",
  negative: "金额不能为负数",
  too_many_decimals: "金额最多保留两位小数（元，精确到分）",
  too_large: "金额超出范围（最多 12 位整数）",
  malformed: "金额格式不正确",
};

export const MONEY_EXPECTED = "不小于 0 的数字，单位元，最多两位小数，如 120000 或 3500.50";

/**
 * Parse a money string ("1,200.5", " 3500 ") into a canonical "1200.50", or say what is wrong.
 * Thousands separators and surrounding spaces are tolerated (Excel writes them); nothing else.
 */
export function parseMoney(input: string): { ok: true; value: string } | { ok: false; problem: MoneyProblem } {
  const s = input.trim().replace(/[,，]/g, "");
  if (s === "") return { ok: false, problem: "empty" };
  if (/^-/.test(s)) return { ok: false, problem: "negative" };
  const m = /^\+?(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return { ok: false, problem: "malformed" };
  const frac = m[2] ?? "";
  if (frac.length > 2) return { ok: false, problem: "too_many_decimals" };
  const int = m[1].replace(/^0+(?=\d)/, "");
  if (int.length > 12) return { ok: false, problem: "too_large" };
  return { ok: true, value: `${int}.${frac.padEnd(2, "0")}` };
}

/** Format "1234567.50" as "1,234,567.50" for display. */
export function formatMoney(value: string | null | undefined): string {
  if (value == null) return "—";
  const [int, frac = "00"] = value.split(".");
  const neg = int.startsWith("-");
  const digits = neg ? int.slice(1) : int;
  return `${neg ? "-" : ""}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${frac.padEnd(2, "0")}`;
}

/** Format yuan as 万元 with 2 decimals, exactly (string arithmetic). */
export function formatWan(value: string): string {
  const [int, frac = "00"] = value.split(".");
  const cents = BigInt(int) * 100n + BigInt(frac.padEnd(2, "0").slice(0, 2));
  // 万元 with 2 decimals = round(cents / 10000) / 100
  const hundredthsOfWan = (cents + 5000n) / 10000n;
  const w = hundredthsOfWan / 100n;
  const r = hundredthsOfWan % 100n;
  return `${formatMoney(`${w}.${r.toString().padStart(2, "0")}`)}`;
}
