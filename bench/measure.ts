import { readFileSync } from "node:fs";

// Timing and memory figures shared by the HTTP benchmarks.

/** The p-th percentile of an ascending list. */
export function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Milliseconds with one decimal. */
export const fmt = (n: number) => n.toFixed(1);

/**
 * `count` sequential requests, the i-th made from `request(i)` (URL and init), each read to the end;
 * a status other than `expectStatus` stops the run. Prints p50 and p95 after `label` (padded to
 * `width`) and returns p95 in ms. Warm up before calling.
 */
export async function timeSequential(
  label: string,
  width: number,
  count: number,
  request: (i: number) => [string, RequestInit?],
  expectStatus = 200,
) {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const [url, init] = request(i);
    const t = performance.now();
    const r = await fetch(url, init);
    await r.arrayBuffer();
    times.push(performance.now() - t);
    if (r.status !== expectStatus) throw new Error(`${url} → ${r.status}`);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(width)} p50 ${fmt(percentile(times, 50)).padStart(6)} ms   p95 ${fmt(percentile(times, 95)).padStart(6)} ms   (n=${count})`,
  );
  return percentile(times, 95);
}

/** A memory figure of a process (VmRSS: now, VmHWM: its peak) in kB, from /proc/<pid>/status. */
export function rssKb(pid: number | "self", field: "VmRSS" | "VmHWM") {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : 0;
}

/** A numeric command-line option (`--name 123`), or `def` when it is not given. */
export function numberArg(name: string, def: number) {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
}
