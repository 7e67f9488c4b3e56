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
import { AsyncLocalStorage } from "node:async_hooks";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import http from "node:http";
import https from "node:https";
import { createServer } from "node:net";
import path from "node:path";
import postgres from "postgres";
import sharp from "sharp";

const LOAD_SECONDS = Number(process.env.CLUSTER_LOAD_SECONDS ?? 45);
const CLIENTS = Number(process.env.CLUSTER_CLIENTS ?? 50);
// The newest PostgreSQL server installed (Debian: /usr/lib/postgresql/<major>/bin), unless PG_BIN says.
const PG_BIN =
  process.env.PG_BIN ??
  (existsSync("/usr/lib/postgresql")
    ? `/usr/lib/postgresql/${readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a))[0]}/bin`
    : "/usr/lib/postgresql/15/bin");
const ROOT = path.resolve(import.meta.dirname, "..");
const BUILD = path.resolve(ROOT, process.env.SUNSHINE_BUILD_DIR ?? "dist");
const REPLICA_MAX_LAG_SECONDS = 2;
const PUBLIC_CACHE_SECONDS = 5;
const METRICS_TOKEN = randomUUID();
const isRoot = process.getuid?.() === 0;

const failures: string[] = [];
const fail = (msg: string) => {
  failures.push(msg);
  console.error(`FAIL: ${msg}`);
};
const say = (msg: string) => console.error(`[cluster ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------
// Processes

const children = new Set<ChildProcess>();
const dir = mkdtempSync("/tmp/sunshine-cluster-");
chmodSync(dir, 0o755);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Run a PostgreSQL tool (as the postgres OS user when we are root: initdb refuses root). */
function pgTool(tool: string, args: string[], opts: { quiet?: boolean } = {}) {
  const cmd = isRoot ? "runuser" : path.join(PG_BIN, tool);
  const argv = isRoot ? ["-u", "postgres", "--", path.join(PG_BIN, tool), ...args] : args;
  const r = spawnSync(cmd, argv, { encoding: "utf8", cwd: dir });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  if (!opts.quiet && r.stderr.trim()) say(r.stderr.trim().split("\n").at(-1) ?? "");
  return r.stdout;
}

function pgDir(name: string) {
  const d = path.join(dir, name);
  mkdirSync(d, { mode: 0o700 });
  if (isRoot) {
    const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim();
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim();
    chownSync(d, Number(id), Number(gid));
  }
  return d;
}

async function startPostgres() {
  const primaryPort = await freePort();
  const replicaPort = await freePort();
  const sockets = pgDir("sockets");
  chmodSync(sockets, 0o777);
  const primary = pgDir("primary");
  pgTool("initdb", ["-D", primary, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], {
    quiet: true,
  });
  writeFileSync(
    path.join(primary, "postgresql.auto.conf"),
    [
      `port = ${primaryPort}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${sockets}'`,
      "wal_level = replica",
      "max_wal_senders = 5",
      "hot_standby = on",
      // A test cluster: durability is not what is being tested, and fsync would only slow the machine.
      "fsync = off",
      "synchronous_commit = off",
      "full_page_writes = off",
      "shared_buffers = 64MB",
      "max_connections = 120",
      "",
    ].join("\n"),
  );
  pgTool("pg_ctl", ["-D", primary, "-l", path.join(sockets, "primary.log"), "-w", "start"], { quiet: true });
  const admin = postgres({
    host: "127.0.0.1",
    port: primaryPort,
    user: "postgres",
    database: "postgres",
    max: 1,
    onnotice: () => {},
  });
  await admin.unsafe(
    "CREATE DATABASE sunshine ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0",
  );
  await admin.end();
  const replica = pgDir("replica");
  pgTool(
    "pg_basebackup",
    ["-h", "127.0.0.1", "-p", String(primaryPort), "-U", "postgres", "-D", replica, "-R", "-X", "stream", "-c", "fast"],
    {
      quiet: true,
    },
  );
  const auto = readFileSync(path.join(replica, "postgresql.auto.conf"), "utf8").replace(
    /^port = .*$/m,
    `port = ${replicaPort}`,
  );
  writeFileSync(path.join(replica, "postgresql.auto.conf"), `${auto}\nhot_standby_feedback = on\n`);
  pgTool("pg_ctl", ["-D", replica, "-l", path.join(sockets, "replica.log"), "-w", "start"], { quiet: true });
  say(`PostgreSQL primary on ${primaryPort}, streaming replica on ${replicaPort}`);
  return { primary, replica, primaryPort, replicaPort };
}

interface Node {
  name: string;
  port: number;
  proc?: ChildProcess;
  env: Record<string, string>;
}

function startNode(node: Node) {
  const log = openSync(path.join(dir, `node-${node.name}.log`), "a");
  // serve.ts directly (not start.mjs): the build is the one under test, never rebuilt here.
  const proc = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts"], {
    cwd: ROOT,
    env: { ...process.env, ...node.env, PORT: String(node.port) },
    stdio: ["ignore", log, log],
  });
  children.add(proc);
  proc.once("exit", () => children.delete(proc));
  node.proc = proc;
  return proc;
}

async function waitReady(node: Node, timeoutMs = 180_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (node.proc?.exitCode != null) {
      throw new Error(
        `node ${node.name} exited (${node.proc.exitCode}): see ${path.join(dir, `node-${node.name}.log`)}`,
      );
    }
    const r = await direct(node, "GET", "/api/health/ready").catch(() => undefined);
    if (r?.status === 200) return;
    await sleep(200);
  }
  throw new Error(`node ${node.name} not ready after ${timeoutMs / 1000} s`);
}

function exited(proc: ChildProcess) {
  return new Promise<number | null>((resolve) => {
    if (proc.exitCode != null || proc.signalCode != null) resolve(proc.exitCode);
    else proc.once("exit", (code) => resolve(code));
  });
}

function startNginx(nodes: Node[], httpsPort: number, httpPort: number) {
  const tls = path.join(dir, "tls");
  mkdirSync(tls);
  const r = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-keyout",
      `${tls}/key.pem`,
      "-out",
      `${tls}/cert.pem`,
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  const cache = path.join(dir, "nginx-cache");
  const temp = path.join(dir, "nginx-temp");
  mkdirSync(cache, { mode: 0o777 });
  mkdirSync(temp, { mode: 0o777 });
  chmodSync(cache, 0o777);
  chmodSync(temp, 0o777);
  const site = readFileSync(path.join(ROOT, "deploy/nginx/sunshine.conf"), "utf8")
    .replace(
      "{{UPSTREAM_SERVERS}}",
      nodes.map((n) => `    server 127.0.0.1:${n.port} max_fails=1 fail_timeout=2s;`).join("\n"),
    )
    .replace("{{CACHE_DIR}}", cache)
    .replaceAll("{{SERVER_NAME}}", "localhost")
    .replace("{{HTTP_LISTEN}}", `127.0.0.1:${httpPort}`)
    .replace("{{HTTPS_LISTEN}}", `127.0.0.1:${httpsPort}`)
    .replace("{{TLS_CERT}}", `${tls}/cert.pem`)
    .replace("{{TLS_KEY}}", `${tls}/key.pem`)
    .replace("{{STATIC_ROOT}}", path.join(BUILD, "client"));
  const left = /\{\{\w+\}\}/.exec(site);
  if (left) throw new Error(`deploy/nginx/sunshine.conf: placeholder ${left[0]} not filled`);
  writeFileSync(path.join(dir, "site.conf"), site);
  writeFileSync(
    path.join(dir, "nginx.conf"),
    [
      "daemon off;",
      "worker_processes 1;",
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/nginx-error.log warn;`,
      "events { worker_connections 2048; }",
      "http {",
      "  include /etc/nginx/mime.types;",
      `  access_log ${dir}/nginx-access.log;`,
      `  client_body_temp_path ${temp}/body;`,
      `  proxy_temp_path ${temp}/proxy;`,
      `  fastcgi_temp_path ${temp}/fastcgi;`,
      `  uwsgi_temp_path ${temp}/uwsgi;`,
      `  scgi_temp_path ${temp}/scgi;`,
      `  include ${dir}/site.conf;`,
      "}",
      "",
    ].join("\n"),
  );
  const test = spawnSync("nginx", ["-t", "-p", dir, "-c", `${dir}/nginx.conf`], { encoding: "utf8" });
  if (test.status !== 0) throw new Error(`nginx -t: ${test.stderr}`);
  const log = openSync(path.join(dir, "nginx.out"), "a");
  const proc = spawn("nginx", ["-p", dir, "-c", `${dir}/nginx.conf`], { stdio: ["ignore", log, log] });
  children.add(proc);
  proc.once("exit", () => children.delete(proc));
  return proc;
}

// ---------------------------------------------------------------------------------------------------
// HTTP

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const tlsAgent = new https.Agent({ keepAlive: true, maxSockets: CLIENTS * 2, rejectUnauthorized: false });
const plainAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
let NGINX_PORT = 0;

function send(
  mod: typeof http | typeof https,
  agent: http.Agent,
  port: number,
  method: string,
  urlPath: string,
  headers: Record<string, string> = {},
  body?: Buffer | string,
  localAddress?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = mod.request(
      {
        host: "127.0.0.1",
        port,
        method,
        path: urlPath,
        agent,
        localAddress,
        headers: { Host: "localhost", ...headers },
        timeout: 60_000,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (p: Buffer) => parts.push(p));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    if (body) req.end(body);
    else req.end();
  });
}

// Each client connects from its own loopback address (127.0.1.N), so nginx, TRUST_PROXY and the
// per-address submission limits see 50 different people, as in production.
const clientAddress = new AsyncLocalStorage<string>();
const viaNginx = (method: string, urlPath: string, headers?: Record<string, string>, body?: Buffer | string) =>
  send(https, tlsAgent, NGINX_PORT, method, urlPath, headers, body, clientAddress.getStore());
const direct = (
  node: Node,
  method: string,
  urlPath: string,
  headers?: Record<string, string>,
  body?: Buffer | string,
) => send(http, plainAgent, node.port, method, urlPath, headers, body);

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
  if (!r || r.status !== 201) {
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

async function clientLoop(until: number) {
  while (Date.now() < until) {
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
  for (const [what, file] of [
    ["nginx", "/usr/sbin/nginx"],
    ["initdb", path.join(PG_BIN, "initdb")],
    ["the built site (npm run build)", path.join(BUILD, "server/entry.mjs")],
  ] as const) {
    if (!existsSync(file)) throw new Error(`${what} is missing (${file})`);
  }
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
    SUNSHINE_ENCRYPTION_KEY: createHash("sha256").update("cluster-enc").digest("hex"),
    SUNSHINE_HMAC_KEY: createHash("sha256").update("cluster-hmac").digest("hex"),
    METRICS_TOKEN,
    SWEEP_INTERVAL_SECONDS: "3",
    DRAIN_TIMEOUT_SECONDS: "15",
    LOG_LEVEL: "warn",
    SUNSHINE_BUILD_DIR: BUILD,
    ASTRO_TELEMETRY_DISABLED: "1",
  };
  const nodes: Node[] = [];
  for (const name of ["A", "B"]) {
    nodes.push({ name, port: await freePort(), env: { ...baseEnv, DATA_DIR: path.join(dir, `data-${name}`) } });
  }
  const [a, b] = nodes;
  let t0 = Date.now();
  startNode(a); // migrates and seeds the empty database
  await waitReady(a);
  startNode(b);
  await waitReady(b);
  say(`two app nodes ready on ${a.port} and ${b.port} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

  NGINX_PORT = await freePort();
  startNginx(nodes, NGINX_PORT, await freePort());
  for (let i = 0; i < 50; i++) {
    if ((await viaNginx("GET", "/api/health/live").catch(() => undefined))?.status === 200) break;
    await sleep(100);
  }
  say(`nginx with TLS on https://localhost:${NGINX_PORT}/`);

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
  t0 = Date.now();
  const until = t0 + LOAD_SECONDS * 1000;
  const load = Promise.all(
    Array.from({ length: CLIENTS }, (_, i) => clientAddress.run(`127.0.1.${i + 1}`, () => clientLoop(until))),
  );

  const chaos = (async () => {
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

  // Counters start again with a restarted process: each node counted what it served since its start.
  let metricsTotal = 0;
  let filingsCounted = 0;
  for (const node of nodes) {
    const m = await metricsOf(node);
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
  if (filingsCounted === 0) fail("/metrics counted no POST /api/tickets");
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
  console.log(`  errors seen      ${errors.size === 0 ? "none" : ""}`);
  for (const [what, n] of [...errors.entries()].sort((x, y) => y[1] - x[1]))
    console.log(`    ${String(n).padStart(5)} × ${what}`);
  await db.end();
  await replicaDb.end();
}

async function cleanup(pg?: { primary: string; replica: string }) {
  for (const c of children) c.kill("SIGKILL");
  for (const d of [pg?.replica, pg?.primary]) {
    if (d && existsSync(path.join(d, "postmaster.pid"))) {
      try {
        pgTool("pg_ctl", ["-D", d, "-m", "immediate", "-w", "stop"], { quiet: true });
      } catch {}
    }
  }
  if (process.env.CLUSTER_KEEP !== "1" && failures.length === 0) rmSync(dir, { recursive: true, force: true });
  else console.error(`logs kept in ${dir}`);
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  fail((err as Error).message);
} finally {
  await cleanup({ primary: path.join(dir, "primary"), replica: path.join(dir, "replica") });
  tlsAgent.destroy();
  plainAgent.destroy();
}
if (failures.length > 0) {
  console.log(`\ncluster test FAILED (${failures.length}):`);
  for (const f of failures.slice(0, 30)) console.log(`  - ${f}`);
  exitCode = 1;
} else console.log("\ncluster test passed: nothing lost");
process.exit(exitCode);
