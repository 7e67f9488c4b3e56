import { formatMoney } from "../funds/money";

// Exact decimal arithmetic on money strings ("1200.50") through integer cents.

export function toCents(value: string | null | undefined): bigint {
  if (value == null || value === "") return 0n;
  const neg = value.startsWith("-");
  const [int, frac = ""] = (neg ? value.slice(1) : value).split(".");
  const c = BigInt(int || "0") * 100n + BigInt((frac + "00").slice(0, 2));
  return neg ? -c : c;
}

export function fromCents(c: bigint): string {
  const neg = c < 0n;
  const a = neg ? -c : c;
  return `${neg ? "-" : ""}${a / 100n}.${(a % 100n).toString().padStart(2, "0")}`;
}

/** "1,234.50 元" */
export function yuan(value: string | bigint): string {
  return `${formatMoney(typeof value === "bigint" ? fromCents(value) : value)} 元`;
}

/** part / whole as a percentage with one decimal ("87.5%"), or "—" when whole is zero. */
export function percent(part: string, whole: string): string {
  const w = toCents(whole);
  if (w === 0n) return "—";
  const tenths = (toCents(part) * 1000n + w / 2n) / w;
  return `${tenths / 10n}.${tenths % 10n}%`;
}
