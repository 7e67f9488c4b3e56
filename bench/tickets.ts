// Hotline intake benchmark, on the PostgreSQL server:
//   1. a database of its own (sunshine_bench_b1 by default) with 1,000,000 existing tickets;
//   2. the production server in a separate process (`node scripts/start.mjs`: builds if stale, then
//      serves; its periodic deadline sweep off, so the figures are intake alone);
//   3. a load generator in another process: 50 concurrent clients POST /api/tickets for DURATION seconds
//      → sustained throughput and p50/p99 latency;
//   4. pgbench with a custom script: single-row INSERT into the same tickets table, 50 clients, same
//      duration, same machine, same run → the ratio API/raw is the figure (aim ≥ 0.5);
//   5. lookups GET /api/tickets/{number} (X-Receipt) of random existing tickets → p50/p95 (aim < 20 ms).
// Usage: npx tsx bench/tickets.ts [--fresh] [--tickets 1000000] [--duration 20] [--clients 50] [--seed-only]
// Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sunshine_bench_b1).
import { type ChildProcess, execFileSync, fork, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const mode = args[0]?.startsWith("--") ? "main" : (args[0] ?? "main");
const here = fileURLToPath(import.meta.url);
const DB_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/sunshine_bench_b1";
const KEYS = { SUNSHINE_ENCRYPTION_KEY: "c".repeat(64), SUNSHINE_HMAC_KEY: "d".repeat(64) };
const BENCH_RECEIPT = "BENC-HBEN-CHBE-NCHB-ENCH";

const body = (i: number) =>
  JSON.stringify({
    kind: i % 5 === 0 ? "report" : "complaint",
    category: ["housing", "employment", "health", "social_security", "fund_management"][i % 5],
    title: `基准测试工单 ${i}`,
    description: "这是一条基准测试用的反映内容：危房改造补助没有按时发放，涉及本村几户人家，请尽快核实处理。",
    district: ["高青县", "沂源县", "淄川区", "博山区"][i % 4],
    reporter: i % 3 === 0 ? { anonymous: false, name: "基准测试", phone: "13800000099" } : { anonymous: true },
  });

function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// ---- child: the load generator ------------------------------------------------------------------
async function load() {
  const base = process.env.BENCH_BASE!;
  const clients = Number(process.env.BENCH_CLIENTS);
  const duration = Number(process.env.BENCH_DURATION) * 1000;
  const kind = process.env.BENCH_KIND!;
  const numbers: string[] = kind === "lookup" ? JSON.parse(process.env.BENCH_NUMBERS!) : [];
  // node:http on kept-alive connections, one per client: a lean client, so the machine's CPU goes to the
  // server under test rather than to the load generator (fetch costs about twice as much per request).
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const url = new URL(base);
  const send = (method: string, path: string, headers: Record<string, string>, payload?: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          agent,
          headers: payload ? { ...headers, "content-length": Buffer.byteLength(payload) } : headers,
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  const latencies: number[] = [];
  let errors = 0;
  let seq = Number(process.env.BENCH_SEED ?? 0);
  const warmupEnd = Date.now() + 2000;
  const end = warmupEnd + duration;
  const worker = async () => {
    while (Date.now() < end) {
      const i = seq++;
      const t0 = performance.now();
      let ok = false;
      try {
        if (kind === "post") {
          const status = await send(
            "POST",
            "/api/tickets",
            {
              "content-type": "application/json",
              "idempotency-key": `bench-${process.pid}-${i}-xxxxxxxx`,
            },
            body(i),
          );
          ok = status === 201;
        } else {
          const status = await send("GET", `/api/tickets/${numbers[i % numbers.length]}`, {
            "x-receipt": BENCH_RECEIPT,
          });
          ok = status === 200;
        }
      } catch {
        ok = false;
      }
      const ms = performance.now() - t0;
      if (Date.now() < warmupEnd) continue;
      if (ok) latencies.push(ms);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  latencies.sort((a, b) => a - b);
  // Forked by main(): report to it; run by hand (`tsx bench/tickets.ts load`): print.
  (process.send ? (m: object) => process.send!(m) : (m: object) => console.log(m))({
    count: latencies.length,
    errors,
    perSecond: latencies.length / (duration / 1000),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  });
}

// ---- main ---------------------------------------------------------------------------------------
function runChild(env: Record<string, string>, childMode: string): ChildProcess {
  return fork(here, [childMode], { env: { ...process.env, ...KEYS, ...env }, execArgv: ["--import", "tsx"] });
}

async function waitHealthy(base: string, server: ChildProcess) {
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}`);
    const ok = await fetch(`${base}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("server did not become healthy");
}

function waitMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve(m as T));
    child.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
  });
}

async function main() {
  const target = arg("tickets", 1_000_000);
  const duration = arg("duration", 20);
  const clients = arg("clients", 50);
  Object.assign(process.env, KEYS, { DATABASE_URL: DB_URL, LOG_LEVEL: "error" });
  const dbName = new URL(DB_URL).pathname.slice(1);
  const admin = new URL(DB_URL);
  admin.pathname = "/postgres";
  const { default: postgres } = await import("postgres");
  const a = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  // --fresh: start again from exactly the seeded tickets (each run adds the tickets it files).
  if (args.includes("--fresh")) await a.unsafe(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  const exists = await a`SELECT 1 FROM pg_database WHERE datname = ${dbName}`;
  if (exists.length === 0) {
    await a.unsafe(
      `CREATE DATABASE "${dbName}" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0`,
    );
  }
  await a.end();

  const { openDatabase } = await import("../db/client");
  const { migrate } = await import("../db/migrate");
  const { seedReference } = await import("../seed/reference");
  const { hashReceipt } = await import("../domain/hotline/receipts");
  const database = await openDatabase({ url: DB_URL, poolMax: 2 });
  await migrate(database);
  await seedReference(database.db);
  const sql = postgres(DB_URL, { max: 1, onnotice: () => {} });
  const [{ n: have }] = await sql`SELECT count(*)::int AS n FROM tickets`;
  if (have < target) {
    const started = Date.now();
    const missing = target - have;
    console.log(`seeding ${missing.toLocaleString()} tickets …`);
    const [u] = await sql`SELECT u.id, u.district_id FROM units u WHERE u.code = 'gaoqing-housing'`;
    const [s] = await sql`SELECT id FROM units WHERE code = 'gaoqing-fpb'`;
    const hash = hashReceipt(BENCH_RECEIPT);
    // Bulk load without per-row triggers (the stats rollup is rebuilt once afterwards).
    await sql`SET session_replication_role = replica`;
    for (let done = 0; done < missing; done += 100_000) {
      const n = Math.min(100_000, missing - done);
      const [{ last }] = await sql`SELECT last_value::int AS last FROM ticket_number_seq`;
      const base = Number(last);
      await sql`INSERT INTO tickets (number, kind, category_code, title, description, district_id, channel, status, tier,
          tier_reason, handling_level, routed_unit_id, supervising_unit_id, supervising_level, routing_reason,
          received_at, accept_due_on, handle_due_on, reporter_anonymous, receipt_hash, body_hash, is_demo)
        SELECT 'ZB-2025-' || lpad((${base} + g)::text, greatest(6, length((${base} + g)::text)), '0'), 'complaint', 'housing',
          '既有工单 ' || g, '基准测试的既有工单内容，用来把表填到一百万行。', ${u.district_id}, 'web',
          (ARRAY['received','accepted','dispatched','handling','replied','closed'])[1 + g % 6], 'IV', '一般事项', 'district',
          ${u.id}, ${s.id}, 'district', '基准', now() - (g % 365) * interval '1 day', current_date, current_date + 60,
          true, ${hash}, md5(g::text), false
        FROM generate_series(1, ${n}) g`;
      await sql`SELECT setval('ticket_number_seq', ${base + n})`;
      process.stdout.write(`  ${(have + done + n).toLocaleString()}\r`);
    }
    await sql`SET session_replication_role = DEFAULT`;
    const [{ fn }] = await sql`SELECT to_regproc('hotline_stats_rebuild') IS NOT NULL AS fn`;
    if (fn) await sql`SELECT hotline_stats_rebuild()`;
    // As autovacuum would leave a settled table: visibility map and hint bits set.
    await sql`VACUUM ANALYZE tickets`;
    console.log(`seeded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  if (args.includes("--seed-only")) {
    await sql.end();
    await database.close();
    process.exit(0);
  }
  const [{ n: existing }] = await sql`SELECT count(*)::int AS n FROM tickets`;
  const numbers = (
    await sql`SELECT number FROM tickets WHERE receipt_hash = ${hashReceipt(BENCH_RECEIPT)} ORDER BY random() LIMIT 2000`
  ).map((r) => r.number as string);
  await database.close();

  // The production server in its own process.
  const port = 43000 + (process.pid % 1000);
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, ["scripts/start.mjs"], {
    env: {
      ...process.env,
      ...KEYS,
      PORT: String(port),
      DATABASE_URL: DB_URL,
      DATABASE_POOL_MAX: "20",
      LOG_LEVEL: "error",
      SWEEP_INTERVAL_SECONDS: "0",
      // All 50 clients come from this machine: exempt it from the per-client filing limit.
      RATE_LIMIT_EXEMPT: "127.0.0.0/8,::1",
    },
    cwd: path.resolve(path.dirname(here), ".."),
    stdio: ["ignore", "inherit", "inherit"],
  });
  await waitHealthy(base, server);

  type Result = { count: number; errors: number; perSecond: number; p50: number; p95: number; p99: number };
  const runLoad = async (kind: "post" | "lookup", c: number, seconds: number) => {
    const child = runChild(
      {
        BENCH_BASE: base,
        BENCH_CLIENTS: String(c),
        BENCH_DURATION: String(seconds),
        BENCH_KIND: kind,
        BENCH_NUMBERS: JSON.stringify(kind === "lookup" ? numbers : []),
        BENCH_SEED: String(Date.now()),
      },
      "load",
    );
    return waitMessage<Result>(child);
  };

  console.log(
    `\nexisting tickets: ${existing.toLocaleString()} · ${clients} clients · ${duration} s per run · PostgreSQL ${(await sql`SHOW server_version`)[0].server_version}`,
  );
  const post = await runLoad("post", clients, duration);
  const lookup = await runLoad("lookup", 10, Math.max(5, Math.round(duration / 2)));
  server.kill("SIGTERM");

  // pgbench: single-row INSERT into the same table (its indexes and triggers), same clients and duration.
  const [u] = await sql`SELECT id, district_id FROM units WHERE code = 'gaoqing-housing'`;
  const script = path.join(tmpdir(), `bench-tickets-${process.pid}.sql`);
  writeFileSync(
    script,
    `INSERT INTO tickets (number, kind, category_code, title, description, district_id, channel, tier, tier_reason, handling_level, routed_unit_id, supervising_unit_id, supervising_level, routing_reason, accept_due_on, handle_due_on, reporter_anonymous, receipt_hash, body_hash) VALUES ('PG-' || nextval('ticket_number_seq'), 'complaint', 'housing', '基准', '基准测试的单行插入', ${u.district_id}, 'api', 'IV', '一般事项', 'district', ${u.id}, ${u.id}, 'district', '基准', current_date, current_date + 60, true, md5(random()::text), md5(random()::text));\n`,
  );
  const url = new URL(DB_URL);
  const pgbench = (options?: string, protocol = "simple") => {
    const out = execFileSync(
      "pgbench",
      [
        "-n",
        "-M",
        protocol,
        "-h",
        url.hostname,
        "-p",
        url.port || "5432",
        "-U",
        url.username || "postgres",
        "-c",
        String(clients),
        "-j",
        "2",
        "-T",
        String(duration),
        "-f",
        script,
        dbName,
      ],
      { encoding: "utf8", env: { ...process.env, ...(options ? { PGOPTIONS: options } : {}) } },
    );
    return {
      tps: Number(/tps = ([\d.]+)/.exec(out)?.[1]),
      latency: Number(/latency average = ([\d.]+) ms/.exec(out)?.[1]),
    };
  };
  const raw = pgbench();
  const tps = raw.tps;
  const pgLatency = raw.latency;
  // The same INSERT with the table's triggers (the statistics rollup) switched off, for reference.
  const bare = pgbench("-c session_replication_role=replica");
  // The same INSERT as a prepared statement (parsed and planned once per connection, as the API's are).
  const prepared = pgbench(undefined, "prepared");
  await sql.end();

  const f = (x: number) => x.toFixed(1);
  console.log("\nPOST /api/tickets (HTTP, separate server and load processes)");
  console.log(
    `  ${f(post.perSecond)} tickets/s sustained · p50 ${f(post.p50)} ms · p99 ${f(post.p99)} ms · ${post.count} created · ${post.errors} errors`,
  );
  console.log(`pgbench single-row INSERT into tickets (${clients} clients)`);
  console.log(`  ${f(tps)} rows/s · latency avg ${f(pgLatency)} ms`);
  console.log(`ratio API / raw INSERT: ${(post.perSecond / tps).toFixed(2)} (aim ≥ 0.5)`);
  console.log(`  (same INSERT without the table's triggers: ${f(bare.tps)} rows/s, latency avg ${f(bare.latency)} ms)`);
  console.log(
    `  (same INSERT prepared, pgbench -M prepared: ${f(prepared.tps)} rows/s → ratio ${(post.perSecond / prepared.tps).toFixed(2)})`,
  );
  console.log("GET /api/tickets/{number} with X-Receipt (10 clients, random existing tickets)");
  console.log(
    `  ${f(lookup.perSecond)} lookups/s · p50 ${f(lookup.p50)} ms · p95 ${f(lookup.p95)} ms (aim < 20 ms) · ${lookup.errors} errors`,
  );
  console.log("(2 CPU cores shared with other work: figures are noisy)");
}

if (mode === "load") await load();
else await main();
