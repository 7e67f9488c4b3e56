// The viral-page benchmark: the same public pages read by BENCH_CLIENTS (50) clients through nginx (TLS,
// micro-cache) and from the two app nodes directly, in one run, side by side.
//
//   flock /tmp/sunshine-bench.lock npx tsx bench/nginx.ts
//
// It builds the production shape of scripts/cluster-harness.ts (PostgreSQL primary + streaming replica,
// two nodes with demo data, nginx from deploy/nginx/sunshine.conf) in a temporary directory, then for
// each page — /notices/{id} and /funds?district=…&year=… — runs BENCH_SECONDS (15) of closed-loop load
// per variant. Needs a built site (npm run build; SUNSHINE_BUILD_DIR to use another build).
import { createHash, randomUUID } from "node:crypto";
import postgres from "postgres";
import {
  checkPrerequisites,
  cleanup,
  direct,
  type Reply,
  say,
  startNodesBehindNginx,
  startPostgres,
  viaNginx,
} from "../scripts/cluster-harness";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);

interface Result {
  requests: number;
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
  hits: number;
}

function percentile(sorted: number[], p: number) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
}

async function run(urls: string[], get: (url: string, client: number) => Promise<Reply>): Promise<Result> {
  const ms: number[] = [];
  let errors = 0;
  let hits = 0;
  const started = Date.now();
  const until = started + SECONDS * 1000;
  let firstError: string | undefined;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = c; Date.now() < until; i++) {
        const t = performance.now();
        try {
          const r = await get(urls[i % urls.length], c);
          ms.push(performance.now() - t);
          if (r.status !== 200) {
            errors++;
            firstError ??= `HTTP ${r.status} ${r.body.toString().slice(0, 200)}`;
          }
          if (r.headers["x-cache"] === "HIT" || r.headers["x-cache"] === "UPDATING") hits++;
        } catch (err) {
          errors++;
          firstError ??= (err as Error).message;
        }
      }
    }),
  );
  if (firstError) throw new Error(`benchmark request failed: ${firstError}`);
  ms.sort((a, b) => a - b);
  const seconds = (Date.now() - started) / 1000;
  return { requests: ms.length, errors, seconds, p50: percentile(ms, 50), p99: percentile(ms, 99), hits };
}

async function main() {
  checkPrerequisites();
  const pg = await startPostgres();
  const baseEnv: Record<string, string> = {
    NODE_ENV: "production",
    DATABASE_URL: `postgres://postgres@127.0.0.1:${pg.primaryPort}/sunshine`,
    DATABASE_REPLICA_URL: `postgres://postgres@127.0.0.1:${pg.replicaPort}/sunshine`,
    WEB_CONCURRENCY: "1",
    SEED_DEMO: "true",
    TRUST_PROXY: "127.0.0.1/32",
    SUNSHINE_ENCRYPTION_KEY: createHash("sha256").update("bench-enc").digest("hex"),
    SUNSHINE_HMAC_KEY: createHash("sha256").update("bench-hmac").digest("hex"),
    METRICS_TOKEN: randomUUID(),
    LOG_LEVEL: "warn",
    ASTRO_TELEMETRY_DISABLED: "1",
  };
  const { nodes } = await startNodesBehindNginx(baseEnv);

  const db = postgres(baseEnv.DATABASE_URL, { max: 1, onnotice: () => {} });
  const notices = (await db<{ id: number }[]>`SELECT id FROM notices ORDER BY id LIMIT 3`).map(
    (r) => `/notices/${r.id}`,
  );
  const combos = await db<{ district: string; year: number }[]>`
    SELECT d.name AS district, f.year FROM fund_allocations f JOIN districts d ON d.id = f.district_id
    GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 3`;
  await db.end();
  const funds = combos.map((c) => `/funds?district=${encodeURIComponent(c.district)}&year=${c.year}`);
  if (notices.length === 0 || funds.length === 0) throw new Error("no demo notices or allocations to read");

  const pages: [string, string[]][] = [
    ["/notices/{id}", notices],
    ["/funds?district=…&year=…", funds],
  ];
  const rows: string[] = [];
  for (const [label, urls] of pages) {
    // Warm both paths (templates, plans, the cache) before measuring.
    for (const u of urls) {
      await viaNginx("GET", u);
      for (const n of nodes) await direct(n, "GET", u);
    }
    say(`${label}: ${CLIENTS} clients × ${SECONDS} s through nginx`);
    const proxied = await run(urls, (u) => viaNginx("GET", u));
    say(`${label}: ${CLIENTS} clients × ${SECONDS} s on the nodes directly`);
    const alone = await run(urls, (u, c) => direct(nodes[c % nodes.length], "GET", u));
    const rps = (r: Result) => r.requests / r.seconds;
    rows.push(
      `| ${label} | nginx (TLS, micro-cache) | ${rps(proxied).toFixed(0)} | ${proxied.p50.toFixed(1)} | ${proxied.p99.toFixed(1)} | ${((100 * proxied.hits) / proxied.requests).toFixed(0)} % |`,
      `| ${label} | 2 nodes directly | ${rps(alone).toFixed(0)} | ${alone.p50.toFixed(1)} | ${alone.p99.toFixed(1)} | — |`,
      `| ${label} | ratio | ${(rps(proxied) / rps(alone)).toFixed(1)}× | | | |`,
    );
  }
  console.log(`\n${CLIENTS} clients, ${SECONDS} s per run, ${new Date().toISOString().slice(0, 10)}\n`);
  console.log("| page | path | requests/s | p50 ms | p99 ms | cache hits |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const r of rows) console.log(r);
}

let failed = false;
try {
  await main();
} catch (err) {
  failed = true;
  console.error((err as Error).message);
} finally {
  await cleanup(failed);
}
process.exit(failed ? 1 : 0);
