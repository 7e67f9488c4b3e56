// npm run cluster:test — the production shape, on this machine, under load and under failure.
//
// In a temporary directory on free ports it starts a PostgreSQL primary and a streaming replica
// (private clusters made with initdb and pg_basebackup), two app nodes (scripts/serve.ts, one server
// process each) and nginx with TLS rendered from deploy/nginx/sunshine.conf. Then, for
// CLUSTER_LOAD_SECONDS, CLUSTER_CLIENTS clients drive the site through nginx: filing tickets with
// Idempotency-Keys, following them, uploading evidence, browsing /funds, /notices and /search —
// while node A is killed with SIGKILL and restarted, then node B is rolled (SIGTERM, drain, restart).
// It asserts that nothing was lost and prints throughput, latency and every error seen; the exit code
// is non-zero on any loss.
//
// Environment: CLUSTER_LOAD_SECONDS (45), CLUSTER_CLIENTS (50), PG_BIN (/usr/lib/postgresql/15/bin),
// SUNSHINE_BUILD_DIR (dist), CLUSTER_KEEP=1 keeps the directory and its logs.
import { spawnSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import postgres from "postgres";
import sharp from "sharp";
import {
  BUILD,
  checkPrerequisites,
  cleanup,
  clientAddress,
  dir,
  direct,
  exited,
  type Node,
  type Reply,
  ROOT,
  say,
  sleep,
  startNode,
  startNodesBehindNginx,
  startPostgres,
  viaNginx,
  waitReady,
} from "./cluster-harness";

const LOAD_SECONDS = Number(process.env.CLUSTER_LOAD_SECONDS ?? 45);
const CLIENTS = Number(process.env.CLUSTER_CLIENTS ?? 50);
const REPLICA_MAX_LAG_SECONDS = 2;
const PUBLIC_CACHE_SECONDS = 5;
const METRICS_TOKEN = randomUUID();

const failures: string[] = [];
const fail = (msg: string) => {
  failures.push(msg);
  console.error(`FAIL: ${msg}`);
};

// ---------------------------------------------------------------------------------------------------
// Load

interface Sample {
  op: string;
  ms: number;
  status: number;
}
const samples: Sample[] = [];
const errors = new Map<string, number>();
const countError = (what: string) => errors.set(what, (errors.get(what) ?? 0) + 1);
let retried = 0;

const RETRYABLE = new Set([502, 503, 504]);

/** One logical request through nginx, retried on 502/503/504 and network errors (as a client would). */
async function call(
  op: string,
  method: string,
  urlPath: string,
  headers?: Record<string, string>,
  body?: Buffer | string,
) {
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    let reply: Reply | undefined;
    try {
      reply = await viaNginx(method, urlPath, headers, body);
    } catch (err) {
      countError(`${op}: ${(err as Error).message}`);
    }
    samples.push({ op, ms: performance.now() - started, status: reply?.status ?? 0 });
    if (reply && !RETRYABLE.has(reply.status)) {
      if (reply.status >= 500)
        fail(`${op} ${method} ${urlPath}: HTTP ${reply.status} ${reply.body.toString().slice(0, 200)}`);
      return reply;
    }
    if (reply) countError(`${op}: HTTP ${reply.status} (retried)`);
    if (attempt >= 12) {
      fail(`${op} ${method} ${urlPath}: still failing after ${attempt} attempts`);
      return reply;
    }
    retried++;
    await sleep(Math.min(2000, 100 * 2 ** attempt));
  }
}

interface Filed {
  key: string;
  number: string;
  receipt: string;
  evidence: number;
}
const filed: Filed[] = [];
const keysAnswered = new Map<string, string>();

const DISTRICTS = ["高青县", "沂源县", "淄川区", "博山区"];
const WORDS = ["扶贫", "危房", "道路", "补助", "产业", "饮水"];
const pick = <T>(a: T[]) => a[Math.floor(Math.random() * a.length)];

async function fileOne() {
  const key = randomUUID();
  const body = JSON.stringify({
    kind: "complaint",
    category: "housing",
    title: `集群测试 ${key.slice(0, 8)}`,
    description: "危房改造补助迟迟没有发放，请核查。",
    district: pick(DISTRICTS),
    reporter: { anonymous: true },
  });
  const r = await call(
    "file",
    "POST",
    "/api/tickets",
    { "Content-Type": "application/json", "Idempotency-Key": key },
    body,
  );
  if (!r || (r.status !== 201 && r.status !== 200)) {
    if (r) fail(`file: HTTP ${r.status} ${r.body.toString().slice(0, 200)}`);
    return;
  }
  const t = JSON.parse(r.body.toString()) as { number: string; receipt: string };
  if (keysAnswered.has(key) && keysAnswered.get(key) !== t.number)
    fail(`Idempotency-Key ${key} answered with two tickets`);
  keysAnswered.set(key, t.number);
  filed.push({ key, number: t.number, receipt: t.receipt, evidence: 0 });
}

async function followOne() {
  const t = pick(filed);
  const r = await call("follow", "GET", `/api/tickets/${t.number}`, { "X-Receipt": t.receipt });
  if (r && r.status !== 200) fail(`follow ${t.number}: HTTP ${r.status}`);
}

async function pngOf(seed: number) {
  const raw = Buffer.alloc(64 * 64 * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 31 + seed * 7) & 0xff;
  return sharp(raw, { raw: { width: 64, height: 64, channels: 3 } })
    .png()
    .toBuffer();
}

async function evidenceOne() {
  const t = filed.find((f) => f.evidence === 0) ?? pick(filed);
  if (t.evidence >= 3) return;
  const boundary = `----cluster${randomUUID()}`;
  const png = await pngOf(Math.floor(Math.random() * 1e6));
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="x.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    png,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  t.evidence++; // counted before the answer: a retried upload may land twice, never zero times
  const r = await call(
    "evidence",
    "POST",
    `/api/tickets/${t.number}/evidence`,
    {
      "Content-Type": `multipart/form-data; boundary=${boundary}`,
      "X-Receipt": t.receipt,
    },
    body,
  );
  if (r?.status !== 201) {
    t.evidence--;
    if (r && r.status !== 409) fail(`evidence ${t.number}: HTTP ${r?.status} ${r?.body.toString().slice(0, 200)}`);
  }
}

let noticeIds: number[] = [];
async function browseOne() {
  const r = Math.random();
  const year = 2016 + Math.floor(Math.random() * 4);
  let urlPath: string;
  let op: string;
  if (r < 0.35) [op, urlPath] = ["funds page", `/funds?district=${encodeURIComponent(pick(DISTRICTS))}&year=${year}`];
  else if (r < 0.55)
    [op, urlPath] = ["funds api", `/api/funds?district=${encodeURIComponent(pick(DISTRICTS))}&year=${year}`];
  else if (r < 0.8 && noticeIds.length) [op, urlPath] = ["notice page", `/notices/${pick(noticeIds)}`];
  else [op, urlPath] = ["search page", `/search?q=${encodeURIComponent(pick(WORDS))}`];
  const reply = await call(op, "GET", urlPath);
  if (reply && reply.status !== 200) fail(`${op} ${urlPath}: HTTP ${reply.status}`);
}

let chaosDone = false;
/** One client: until the load time is over and the kill and the roll are both done (under load). */
async function clientLoop(until: number) {
  while (Date.now() < until || !chaosDone) {
    const r = Math.random();
    if (r < 0.2 || filed.length < 5) await fileOne();
    else if (r < 0.32) await followOne();
    else if (r < 0.36) await evidenceOne();
    else await browseOne();
  }
}

// ---------------------------------------------------------------------------------------------------
// Checks

async function metricsOf(node: Node) {
  const r = await direct(node, "GET", "/metrics", { Authorization: `Bearer ${METRICS_TOKEN}` });
  if (r.status !== 200) throw new Error(`/metrics on ${node.name}: HTTP ${r.status}`);
  const text = r.body.toString();
  let total = 0;
  for (const m of text.matchAll(/^sunshine_http_requests_total\{[^}]*\} (\d+)/gm)) total += Number(m[1]);
  return { text, total };
}

function percentile(values: number[], p: number) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  checkPrerequisites();
  say(`working in ${dir}`);
  const pg = await startPostgres();
  const primaryUrl = `postgres://postgres@127.0.0.1:${pg.primaryPort}/sunshine`;
  const replicaUrl = `postgres://postgres@127.0.0.1:${pg.replicaPort}/sunshine`;
  const baseEnv: Record<string, string> = {
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    DATABASE_URL: primaryUrl,
    DATABASE_REPLICA_URL: replicaUrl,
    REPLICA_MAX_LAG_SECONDS: String(REPLICA_MAX_LAG_SECONDS),
    PUBLIC_CACHE_SECONDS: String(PUBLIC_CACHE_SECONDS),
    DATABASE_POOL_MAX: "10",
    WEB_CONCURRENCY: "1",
    SEED_DEMO: "true",
    TRUST_PROXY: "127.0.0.1/32",
    // A load test: the per-address submission limits would refuse 50 clients filing for a minute.
    RATE_LIMIT_EXEMPT: "127.0.0.0/8",
    SUNSHINE_ENCRYPTION_KEY: createHash("sha256").update("cluster-enc").digest("hex"),
    SUNSHINE_HMAC_KEY: createHash("sha256").update("cluster-hmac").digest("hex"),
    METRICS_TOKEN,
    SWEEP_INTERVAL_SECONDS: "3",
    DRAIN_TIMEOUT_SECONDS: "15",
    LOG_LEVEL: "warn",
    SUNSHINE_BUILD_DIR: BUILD,
    ASTRO_TELEMETRY_DISABLED: "1",
  };
  const { nodes } = await startNodesBehindNginx(baseEnv);
  const [a, b] = nodes;

  const db = postgres(primaryUrl, { max: 2, onnotice: () => {} });
  const replicaDb = postgres(replicaUrl, { max: 1, onnotice: () => {} });
  noticeIds = (await db<{ id: number }[]>`SELECT id FROM notices ORDER BY id LIMIT 20`).map((r) => r.id);
  const ticketsBefore = Number((await db`SELECT count(*)::int AS n FROM tickets`)[0].n);
  const replicaReadsBefore = Number(
    (await replicaDb`SELECT tup_returned::bigint AS n FROM pg_stat_database WHERE datname = 'sunshine'`)[0].n,
  );

  // A staff account to read evidence back through the other node.
  const password = `cluster-${randomUUID()}`;
  const [hotline] = await db<
    { code: string }[]
  >`SELECT code FROM units WHERE kind = 'hotline' AND level = 'city' LIMIT 1`;
  const userArgs = [
    "--username",
    "cluster-admin",
    "--name",
    "集群测试",
    "--role",
    "supervisor",
    "--unit",
    hotline.code,
  ];
  const created = spawnSync(process.execPath, ["--import", "tsx", "scripts/user-create.ts", ...userArgs], {
    cwd: ROOT,
    env: { ...process.env, ...baseEnv, SEED_DEMO: "false" },
    input: `${password}\n`,
    encoding: "utf8",
  });
  if (created.status !== 0) throw new Error(`user:create failed: ${created.stderr}`);

  // ---- load with failures
  say(`${CLIENTS} clients for ${LOAD_SECONDS} s through nginx; SIGKILL node A, then roll node B`);
  const t0 = Date.now();
  const until = t0 + LOAD_SECONDS * 1000;
  const load = Promise.all(
    Array.from({ length: CLIENTS }, (_, i) => clientAddress.run(`127.0.1.${i + 1}`, () => clientLoop(until))),
  );

  const chaos = (async () => {
    try {
      await sleep(LOAD_SECONDS * 200);
      say("SIGKILL node A");
      a.proc?.kill("SIGKILL");
      await exited(a.proc!);
      await sleep(1000);
      startNode(a);
      await waitReady(a);
      say(`node A back after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await sleep(LOAD_SECONDS * 100);
      say("SIGTERM node B (drain)");
      const termAt = Date.now();
      b.proc?.kill("SIGTERM");
      const code = await exited(b.proc!);
      say(`node B drained and exited with ${code} in ${((Date.now() - termAt) / 1000).toFixed(1)} s`);
      if (code !== 0) fail(`node B exited with ${code} after SIGTERM (expected a clean drain)`);
      startNode(b);
      await waitReady(b);
      say(`node B back after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await sleep(3000); // both nodes serve again, under load, before it stops
    } finally {
      chaosDone = true;
    }
  })();

  // A new fund allocation on the primary must show in public reads (served by the replica) within the
  // documented time: replica lag threshold + the shared cache's lifetime.
  const freshness = (async () => {
    await sleep(LOAD_SECONDS * 500);
    const marker = `CLUSTER-${randomUUID().slice(0, 8)}`;
    await db`INSERT INTO fund_allocations (year, level, fund_name, doc_number, district_id, category_code, amount, purpose, published_on)
             SELECT year, level, fund_name, ${marker}, district_id, category_code, 1.00, purpose, published_on
             FROM fund_allocations WHERE status = 'active' ORDER BY id LIMIT 1`;
    const insertedAt = Date.now();
    const limit = (REPLICA_MAX_LAG_SECONDS + PUBLIC_CACHE_SECONDS + 3) * 1000;
    for (;;) {
      const r = await viaNginx("GET", `/api/funds?q=${marker}`).catch(() => undefined);
      if (r?.status === 200 && (JSON.parse(r.body.toString()) as { total: number }).total === 1) {
        say(`new allocation visible through nginx after ${((Date.now() - insertedAt) / 1000).toFixed(1)} s`);
        return;
      }
      if (Date.now() - insertedAt > limit) {
        fail(`a new allocation was not visible in public reads after ${limit / 1000} s`);
        return;
      }
      await sleep(250);
    }
  })();

  await Promise.all([load, chaos, freshness]);
  const seconds = (Date.now() - t0) / 1000;

  // ---- verify
  say("checking every ticket, every Idempotency-Key, every evidence file, the replica and /metrics");
  await waitReady(a);
  await waitReady(b);
  await checkPagesReadReplica(a, db, replicaDb);
  const dupes =
    await db`SELECT idempotency_key_hash, count(*)::int AS n FROM tickets WHERE idempotency_key_hash IS NOT NULL GROUP BY 1 HAVING count(*) > 1`;
  if (dupes.length > 0) fail(`${dupes.length} Idempotency-Keys have more than one ticket`);
  const ticketsAfter = Number((await db`SELECT count(*)::int AS n FROM tickets`)[0].n);
  if (ticketsAfter - ticketsBefore !== keysAnswered.size) {
    fail(`${keysAnswered.size} tickets acknowledged, ${ticketsAfter - ticketsBefore} in the database`);
  }
  let unreadable = 0;
  for (const t of filed) {
    for (const node of nodes) {
      const r = await direct(node, "GET", `/api/tickets/${t.number}`, { "X-Receipt": t.receipt });
      if (r.status !== 200) unreadable++;
    }
  }
  if (unreadable > 0) fail(`${unreadable} ticket reads through a node failed`);

  // Evidence stored through either node is served by both: staff download through each node directly.
  const evidenceRows = await db<{ id: number; number: string; byte_size: number }[]>`
    SELECT e.id, t.number, e.byte_size FROM ticket_evidence e JOIN tickets t ON t.id = e.ticket_id
    WHERE t.title LIKE '集群测试 %' ORDER BY e.id`;
  const expectedEvidence = filed.reduce((n, t) => n + t.evidence, 0);
  if (evidenceRows.length < expectedEvidence)
    fail(`${expectedEvidence} evidence uploads acknowledged, ${evidenceRows.length} stored`);
  let evidenceServed = 0;
  for (const node of nodes) {
    const login = await direct(
      node,
      "POST",
      "/api/console/session",
      { "Content-Type": "application/json" },
      JSON.stringify({ username: "cluster-admin", password }),
    );
    if (login.status !== 200) {
      fail(`staff login on node ${node.name}: HTTP ${login.status} ${login.body.toString().slice(0, 200)}`);
      continue;
    }
    const cookie = String(login.headers["set-cookie"]?.[0] ?? "").split(";")[0];
    for (const e of evidenceRows) {
      const r = await direct(node, "GET", `/api/console/tickets/${e.number}/evidence/${e.id}`, { Cookie: cookie });
      if (r.status !== 200 || r.body.length !== Number(e.byte_size)) {
        fail(`evidence ${e.id} through node ${node.name}: HTTP ${r.status}, ${r.body.length} of ${e.byte_size} bytes`);
      } else evidenceServed++;
    }
  }

  const replicaReadsAfter = Number(
    (await replicaDb`SELECT tup_returned::bigint AS n FROM pg_stat_database WHERE datname = 'sunshine'`)[0].n,
  );
  const replicaRows = replicaReadsAfter - replicaReadsBefore;
  if (replicaRows < 10_000) fail(`the replica answered almost nothing (${replicaRows} rows read)`);
  const health = JSON.parse((await direct(a, "GET", "/api/health")).body.toString()) as {
    replica?: { lagSeconds: number | null; inUse: boolean };
  };
  if (!health.replica) fail("/api/health shows no replica status");

  // Counters start again with a restarted process, so each node is asked to count a few lookups now.
  let metricsTotal = 0;
  let filingsCounted = 0;
  const memory: string[] = [];
  for (const node of nodes) {
    const lookups = (text: string) =>
      [
        ...text.matchAll(
          /^sunshine_http_requests_total\{method="GET",route="\/api\/tickets\/:id",status="200"\} (\d+)/gm,
        ),
      ]
        .map((x) => Number(x[1]))
        .reduce((a, b) => a + b, 0);
    const before = lookups((await metricsOf(node)).text);
    for (const t of filed.slice(0, 5))
      await direct(node, "GET", `/api/tickets/${t.number}`, { "X-Receipt": t.receipt });
    const m = await metricsOf(node);
    const rss = /^process_resident_memory_bytes (\d+)/m.exec(m.text);
    if (rss) memory.push(`${node.name} ${(Number(rss[1]) / 1048576).toFixed(0)} MB`);
    const counted = lookups(m.text) - before;
    if (counted !== Math.min(5, filed.length)) fail(`/metrics of node ${node.name} counted ${counted} of 5 lookups`);
    metricsTotal += m.total;
    for (const x of m.text.matchAll(
      /^sunshine_http_requests_total\{method="POST",route="\/api\/tickets",status="20[01]"\} (\d+)/gm,
    )) {
      filingsCounted += Number(x[1]);
    }
    if (!/sunshine_replica_lag_seconds /.test(m.text) || !/nodejs_eventloop_lag_seconds /.test(m.text)) {
      fail(`/metrics of node ${node.name} lacks replica or event-loop lag`);
    }
  }
  if (metricsTotal === 0) fail("/metrics counted no requests");
  if (filingsCounted === 0) say("no POST /api/tickets counted since the last restarts (the rolls came last)");
  const forbidden = await direct(a, "GET", "/metrics");
  if (forbidden.status !== 403) fail(`/metrics without the token: HTTP ${forbidden.status}`);
  const proxied = await viaNginx("GET", "/metrics");
  if (proxied.status !== 404) fail(`/metrics through nginx: HTTP ${proxied.status}`);

  // ---- report
  const ok = samples.filter((s) => s.status > 0 && s.status < 500);
  const ms = ok.map((s) => s.ms);
  console.log("");
  console.log(
    `cluster test: ${CLIENTS} clients, ${seconds.toFixed(1)} s through nginx (TLS), 2 nodes, primary + replica`,
  );
  console.log(
    `  requests         ${samples.length} (${(ok.length / seconds).toFixed(0)}/s answered), ${retried} retried by the client`,
  );
  console.log(`  latency          p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms`);
  const ops = [...new Set(samples.map((s) => s.op))].sort();
  for (const op of ops) {
    const xs = ok.filter((s) => s.op === op).map((s) => s.ms);
    console.log(
      `  ${op.padEnd(16)} ${String(xs.length).padStart(6)}  p50 ${percentile(xs, 50).toFixed(1)} ms  p99 ${percentile(xs, 99).toFixed(1)} ms`,
    );
  }
  console.log(
    `  tickets          ${keysAnswered.size} filed, each readable through both nodes; ${dupes.length} duplicate keys`,
  );
  console.log(`  evidence         ${evidenceRows.length} files, ${evidenceServed} downloads through both nodes`);
  console.log(
    `  replica          ${replicaRows} rows read on the replica; lag now ${health.replica?.lagSeconds ?? "?"} s`,
  );
  console.log(`  node memory      ${memory.join(", ")} (resident, after the run)`);
  console.log(`  errors seen      ${errors.size === 0 ? "none" : ""}`);
  for (const [what, n] of [...errors.entries()].sort((x, y) => y[1] - x[1]))
    console.log(`    ${String(n).padStart(5)} × ${what}`);
  await db.end();
  await replicaDb.end();
}

/**
 * Public pages read the replica (lib/read-routing.ts, the API's rule): a new allocation shows on /funds
 * (asked of a node directly, past nginx's cache) within REPLICA_MAX_LAG_SECONDS; with the replica's
 * replay paused, the next one stays off the page while the lag is under the threshold — the page is
 * read from the replica — and shows once the lag passes it (the fallback to the primary).
 */
async function checkPagesReadReplica(node: Node, db: postgres.Sql, replicaDb: postgres.Sql) {
  const limit = (REPLICA_MAX_LAG_SECONDS + 3) * 1000;
  const allocate = async () => {
    const marker = `PAGE-${randomUUID().slice(0, 8)}`;
    await db`INSERT INTO fund_allocations (year, level, fund_name, doc_number, district_id, category_code, amount, purpose, published_on)
             SELECT year, level, fund_name, ${marker}, district_id, category_code, 1.00, purpose, published_on
             FROM fund_allocations WHERE status = 'active' ORDER BY id LIMIT 1`;
    return { marker, at: Date.now() };
  };
  const pageShows = async (marker: string) => {
    const r = await direct(node, "GET", `/funds?q=${marker}`).catch(() => undefined);
    return r?.status === 200 && /data-testid="total-count"[^>]*>1</.test(r.body.toString());
  };
  const replicaInUse = async () => {
    const r = await direct(node, "GET", "/api/health").catch(() => undefined);
    return r?.status === 200 && (JSON.parse(r.body.toString()) as { replica?: { inUse: boolean } }).replica?.inUse;
  };
  for (let i = 0; i < 100 && !(await replicaInUse()); i++) await sleep(100);
  if (!(await replicaInUse())) return fail("the replica is not in use after the load");

  const first = await allocate();
  while (!(await pageShows(first.marker))) {
    if (Date.now() - first.at > limit) return fail(`a new allocation was not on /funds after ${limit / 1000} s`);
    await sleep(100);
  }
  say(
    `new allocation on the /funds page (node ${node.name} directly) after ${((Date.now() - first.at) / 1000).toFixed(1)} s`,
  );

  await replicaDb`SELECT pg_wal_replay_pause()`;
  try {
    const second = await allocate();
    await sleep(500);
    if (await pageShows(second.marker))
      fail("/funds showed an allocation the paused replica has not replayed: the page read the primary");
    while (!(await pageShows(second.marker))) {
      if (Date.now() - second.at > limit)
        return fail(`with the replica paused, /funds did not fall back to the primary within ${limit / 1000} s`);
      await sleep(100);
    }
    say(`replica paused: /funds fell back to the primary after ${((Date.now() - second.at) / 1000).toFixed(1)} s`);
  } finally {
    await replicaDb`SELECT pg_wal_replay_resume()`;
  }
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  fail((err as Error).message);
} finally {
  await cleanup(failures.length > 0);
}
if (failures.length > 0) {
  console.log(`\ncluster test FAILED (${failures.length}):`);
  for (const f of failures.slice(0, 30)) console.log(`  - ${f}`);
  exitCode = 1;
} else console.log("\ncluster test passed: nothing lost");
process.exit(exitCode);
