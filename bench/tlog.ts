// Transparency log benchmark at 1,000,000 entries, on the PostgreSQL server:
//   1. sequencing: 1M pending filing entries appended (tiles built, checkpoints signed) → entries/s;
//   2. lag under load: filings arrive at --rate per second for --duration seconds while the sequencer
//      runs every second, as in the server → sequencing lag p50/p99 (sequenced_at − created_at);
//   3. serving over HTTP (the /log app, in process behind node's HTTP server): /log/checkpoint and
//      random full tiles → p50/p95;
//   4. building an inclusion proof for a random entry from the stored tiles → p50/p95;
//   5. the monitor (lib/tlog/monitor.ts) verifying all 1M from scratch over HTTP, then a grown
//      checkpoint's consistency.
// Usage: flock /tmp/sunshine-bench.lock npx tsx bench/tlog.ts [--entries 1000000] [--rate 1500] [--duration 20]
//        npx tsx bench/tlog.ts --build-only   (only step 1: build the 1M-entry log, kept for later runs)
// Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sunshine_tlog_bench_log; created if
// missing, entries kept between runs).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { logApp } from "../api/log/app";
import { openDatabase, rows, setDatabase } from "../db/client";
import { migrate } from "../db/migrate";
import { logVerifierKey } from "../domain/transparency/keys";
import { inclusionProof, latestCheckpoint } from "../domain/transparency/read";
import { sequenceLog } from "../domain/transparency/sequencer";
import { checkLatest, newMonitorState, parseVerifierKey } from "../lib/tlog/monitor";

// Request logs would drown the figures (the log app logs every request at info).
process.env.LOG_LEVEL ??= "error";
const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const TARGET = arg("entries", 1_000_000);
const RATE = arg("rate", 1500);
const DURATION = arg("duration", 20);
const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/sunshine_tlog_bench_log";
const tty = process.stdout.isTTY;
const progress = (s: string) => tty && process.stdout.write(`  ${s}\r`);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x: number) => `${x.toFixed(2)} ms`;

const dbName = new URL(url).pathname.slice(1);
const adminUrl = new URL(url);
adminUrl.pathname = "/postgres";
const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
if ((await admin`SELECT 1 FROM pg_database WHERE datname = ${dbName}`).length === 0) {
  await admin.unsafe(
    `CREATE DATABASE "${dbName}" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0`,
  );
}
await admin.end();

const database = await openDatabase({ url, poolMax: 10 });
setDatabase(database);
const { db } = database;
await migrate(database);

// A filing entry as the hotline writes it (same size and shape).
const pendingSql = (from: number, to: number) => sql`INSERT INTO log_pending (entry, ref, secret)
  SELECT '{"category":"housing","commitment":"' || encode(sha256(g::text::bytea), 'hex') || '","district":"高青县","kind":"complaint","ticket":"ZB-2026-' || lpad(g::text, 7, '0') || '","time":"' || to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '","type":"ticket.filed","v":1}',
    'ticket.filed:ZB-2026-' || lpad(g::text, 7, '0'), encode(sha256(('salt' || g)::bytea), 'hex')
  FROM generate_series(${from}::int, ${to}::int) g`;

let size = (await latestCheckpoint(db))?.size ?? 0;
if (size < TARGET) {
  console.log(`sequencing ${(TARGET - size).toLocaleString()} entries …`);
  const started = performance.now();
  for (let from = size + 1; from <= TARGET; from += 50_000) {
    const to = Math.min(TARGET, from + 49_999);
    await db.execute(pendingSql(from, to));
    size = (await sequenceLog(db, { maxBatch: 10_000 })).size;
    progress(`${size.toLocaleString()}`);
  }
  const s = (performance.now() - started) / 1000;
  console.log(
    `1. sequenced ${TARGET.toLocaleString()} entries in ${s.toFixed(0)} s (${Math.round(TARGET / s).toLocaleString()} entries/s incl. inserting them)`,
  );
  await db.execute(sql`VACUUM ANALYZE log_entries`);
  await db.execute(sql`VACUUM ANALYZE log_tiles`);
}
if (args.includes("--build-only")) {
  console.log(`log of ${size.toLocaleString()} entries ready in ${dbName}`);
  await database.close();
  process.exit(0);
}

// 2. Lag under a steady filing rate, with the sequencer on its one-second tick.
{
  const start = size;
  const startedAt = new Date();
  let next = TARGET * 10 + size;
  let stop = false;
  const sequencer = (async () => {
    while (!stop) {
      const t = performance.now();
      await sequenceLog(db);
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (performance.now() - t))));
    }
  })();
  const tick = 50; // ms
  const perTick = Math.max(1, Math.round((RATE * tick) / 1000));
  const until = performance.now() + DURATION * 1000;
  while (performance.now() < until) {
    const t = performance.now();
    await db.execute(pendingSql(next, next + perTick - 1));
    next += perTick;
    await new Promise((r) => setTimeout(r, Math.max(0, tick - (performance.now() - t))));
  }
  stop = true;
  await sequencer;
  size = (await sequenceLog(db)).size;
  const lags = (
    await rows<{ lag: number }>(
      db,
      sql`SELECT extract(epoch FROM sequenced_at - created_at)::float8 * 1000 AS lag FROM log_entries WHERE idx >= ${start} AND created_at >= ${startedAt.toISOString()}`,
    )
  ).map((r) => Number(r.lag));
  const rate = lags.length / DURATION;
  console.log(
    `2. ${lags.length.toLocaleString()} filings at ${Math.round(rate)}/s for ${DURATION} s, sequencer every 1 s: lag p50 ${ms(pct(lags, 50))}, p99 ${ms(pct(lags, 99))}, max ${ms(Math.max(...lags))}`,
  );
}

// 3. Serving over HTTP.
const server = createServer(getRequestListener((req) => logApp.fetch(req)));
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const timeGet = async (path: string) => {
  const t = performance.now();
  const r = await fetch(`${base}${path}`);
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`);
  return performance.now() - t;
};
const tilePathOf = (n: number) => {
  let s = String(n % 1000).padStart(3, "0");
  for (let m = Math.floor(n / 1000); m > 0; m = Math.floor(m / 1000)) s = `x${String(m % 1000).padStart(3, "0")}/${s}`;
  return s;
};
{
  for (let i = 0; i < 50; i++) await timeGet("/log/checkpoint");
  const cp: number[] = [];
  for (let i = 0; i < 1000; i++) cp.push(await timeGet("/log/checkpoint"));
  const fullTiles = Math.floor(size / 256);
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < 500; i++)
    cold.push(await timeGet(`/log/tile/0/${tilePathOf(Math.floor(Math.random() * fullTiles))}`));
  for (let i = 0; i < 1000; i++) warm.push(await timeGet(`/log/tile/0/${tilePathOf(i % 50)}`));
  console.log(
    `3. /log/checkpoint p50 ${ms(pct(cp, 50))} p95 ${ms(pct(cp, 95))}; full tile (first read, from the database) p50 ${ms(pct(cold, 50))} p95 ${ms(pct(cold, 95))}; full tile (cached) p95 ${ms(pct(warm, 95))}`,
  );
}

// 4. Proof building.
{
  const times: number[] = [];
  for (let i = 0; i < 500; i++) {
    const idx = Math.floor(Math.random() * size);
    const t = performance.now();
    await inclusionProof(db, size, idx);
    times.push(performance.now() - t);
  }
  console.log(
    `4. inclusion proof at size ${size.toLocaleString()}: p50 ${ms(pct(times, 50))} p95 ${ms(pct(times, 95))}`,
  );
}

// 5. The monitor over HTTP: everything from scratch, then one grown checkpoint.
{
  const key = await parseVerifierKey(logVerifierKey());
  const fetcher = async (u: string) => {
    const r = await fetch(u);
    return { status: r.status, body: new Uint8Array(await r.arrayBuffer()) };
  };
  const state = newMonitorState();
  let t = performance.now();
  await checkLatest(state, { base: `${base}/log`, key, fetch: fetcher, concurrency: 8 });
  const full = (performance.now() - t) / 1000;
  await db.execute(pendingSql(TARGET * 20 + 1, TARGET * 20 + 1000));
  await sequenceLog(db);
  t = performance.now();
  const cp = await checkLatest(state, { base: `${base}/log`, key, fetch: fetcher, concurrency: 8 });
  const grown = performance.now() - t;
  console.log(
    `5. monitor: ${size.toLocaleString()} entries verified from scratch (every tile to the signed root) in ${full.toFixed(1)} s; consistency to ${cp.size.toLocaleString()} in ${ms(grown)}`,
  );
}
server.close();
await database.close();
