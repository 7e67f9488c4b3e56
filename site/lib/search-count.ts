// How a search count reads on the page: an exact count as it is, an estimate rounded to two significant
// figures behind 约 ("about") — 约 12 万, 约 3400 — so an estimate never passes for an exact figure.

/** "1234" for an exact count; "约 12 万", "约 1.5 万" or "约 3400" for an estimate. */
export function formatCount(n: number, exact: boolean): string {
  if (exact) return String(n);
  if (n >= 10_000) {
    const wan = n / 10_000;
    const step = wan >= 10 ? 1 : 0.1;
    return `约 ${Number((Math.round(wan / step) * step).toFixed(step === 1 ? 0 : 1))} 万`;
  }
  const step = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(1, n))) - 1);
  return `约 ${Math.round(n / step) * step}`;
}
