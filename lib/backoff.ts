// Exponential backoff for retries: base · 2^(attempt − 1), capped, with optional ±jitter so many
// failed items do not all come back at the same moment.

export interface BackoffOptions {
  /** Delay before the second attempt (after the first failure). */
  base: number;
  /** Largest delay. */
  max: number;
  /** Fraction of random spread around the delay, e.g. 0.2 for ±20 %. */
  jitter?: number;
}

/** The delay after `failures` consecutive failures (≥ 1), in the unit of base and max. */
export function backoffDelay(failures: number, opts: BackoffOptions): number {
  const delay = Math.min(opts.max, opts.base * 2 ** Math.min(Math.max(0, failures - 1), 40));
  const spread = opts.jitter ?? 0;
  return spread > 0 ? Math.round(delay * (1 - spread + Math.random() * 2 * spread)) : delay;
}
