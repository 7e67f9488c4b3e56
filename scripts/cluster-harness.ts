// The machinery of the production shape on one machine, for the cluster test and the nginx benchmark:
// private PostgreSQL clusters (a primary and a streaming replica made with pg_basebackup), app nodes
// (scripts/serve.ts, one server process each) and nginx with TLS rendered from
// deploy/nginx/sunshine.conf, all in one temporary directory on free ports.
import { AsyncLocalStorage } from "node:async_hooks";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
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

// The newest PostgreSQL server installed (Debian: /usr/lib/postgresql/<major>/bin), unless PG_BIN says.
export const PG_BIN =
  process.env.PG_BIN ??
  (existsSync("/usr/lib/postgresql")
    ? `/usr/lib/postgresql/${readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a))[0]}/bin`
    : "/usr/lib/postgresql/15/bin");
export const ROOT = path.resolve(import.meta.dirname, "..");
export const BUILD = path.resolve(ROOT, process.env.SUNSHINE_BUILD_DIR ?? "dist");
const isRoot = process.getuid?.() === 0;

/** nginx, the PostgreSQL server binaries and a built site, or an error naming what is missing. */
export function checkPrerequisites() {
  for (const [what, file] of [
    ["nginx", "/usr/sbin/nginx"],
    ["initdb", path.join(PG_BIN, "initdb")],
    ["the built site (npm run build)", path.join(BUILD, "server/entry.mjs")],
  ] as const) {
    if (!existsSync(file)) throw new Error(`${what} is missing (${file})`);
  }
}

export const say = (msg: string) => console.error(`[cluster ${new Date().toISOString().slice(11, 19)}] ${msg}`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------
// Processes

export const children = new Set<ChildProcess>();
export const dir = mkdtempSync("/tmp/sunshine-cluster-");
chmodSync(dir, 0o755);

export function freePort(): Promise<number> {
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
export function pgTool(tool: string, args: string[], opts: { quiet?: boolean } = {}) {
  const cmd = isRoot ? "runuser" : path.join(PG_BIN, tool);
  const argv = isRoot ? ["-u", "postgres", "--", path.join(PG_BIN, tool), ...args] : args;
  const r = spawnSync(cmd, argv, { encoding: "utf8", cwd: dir });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  if (!opts.quiet && r.stderr.trim()) say(r.stderr.trim().split("\n").at(-1) ?? "");
  return r.stdout;
}

export function pgDir(name: string) {
  const d = path.join(dir, name);
  mkdirSync(d, { mode: 0o700 });
  if (isRoot) {
    const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim();
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim();
    chownSync(d, Number(id), Number(gid));
  }
  return d;
}

/**
 * A new PostgreSQL cluster in `dataDir` (initdb, UTF-8, trust), listening on 127.0.0.1:`port` and in
 * `sockets`, with `settings` in its postgresql.auto.conf; started (log: <sockets>/primary.log) with an
 * empty `sunshine` database.
 */
export async function startPrimary(dataDir: string, port: number, sockets: string, settings: string[]) {
  pgTool("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], {
    quiet: true,
  });
  writeFileSync(
    path.join(dataDir, "postgresql.auto.conf"),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${sockets}'`,
      ...settings,
      "",
    ].join("\n"),
  );
  pgTool("pg_ctl", ["-D", dataDir, "-l", path.join(sockets, "primary.log"), "-w", "start"], { quiet: true });
  const admin = postgres({
    host: "127.0.0.1",
    port,
    user: "postgres",
    database: "postgres",
    max: 1,
    onnotice: () => {},
  });
  await admin.unsafe(
    "CREATE DATABASE sunshine ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0",
  );
  await admin.end();
}

export async function startPostgres() {
  const primaryPort = await freePort();
  const replicaPort = await freePort();
  const sockets = pgDir("sockets");
  chmodSync(sockets, 0o777);
  const primary = pgDir("primary");
  await startPrimary(primary, primaryPort, sockets, [
    "wal_level = replica",
    "max_wal_senders = 5",
    "hot_standby = on",
    // A test cluster: durability is not what is being tested, and fsync would only slow the machine.
    "fsync = off",
    "synchronous_commit = off",
    "full_page_writes = off",
    "shared_buffers = 64MB",
    "max_connections = 120",
  ]);
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

export interface Node {
  name: string;
  port: number;
  proc?: ChildProcess;
  env: Record<string, string>;
}

export function startNode(node: Node) {
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

export async function waitReady(node: Node, timeoutMs = 180_000) {
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

export function exited(proc: ChildProcess) {
  return new Promise<number | null>((resolve) => {
    if (proc.exitCode != null || proc.signalCode != null) resolve(proc.exitCode);
    else proc.once("exit", (code) => resolve(code));
  });
}

export function startNginx(nodes: Node[], httpsPort: number, httpPort: number) {
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

/**
 * App nodes A and B on free ports with `env` (each with a data directory of its own), started one after
 * the other (the first migrates and seeds an empty database), then nginx with TLS in front of them;
 * returns once nginx answers.
 */
export async function startNodesBehindNginx(env: Record<string, string>) {
  const nodes: Node[] = [];
  for (const name of ["A", "B"]) {
    nodes.push({ name, port: await freePort(), env: { ...env, DATA_DIR: path.join(dir, `data-${name}`) } });
  }
  const t0 = Date.now();
  for (const node of nodes) {
    startNode(node);
    await waitReady(node);
  }
  say(`two app nodes ready on ${nodes[0].port} and ${nodes[1].port} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  const nginxPort = await freePort();
  setNginxPort(nginxPort);
  startNginx(nodes, nginxPort, await freePort());
  for (let i = 0; i < 50; i++) {
    if ((await viaNginx("GET", "/api/health/live").catch(() => undefined))?.status === 200) break;
    await sleep(100);
  }
  say(`nginx with TLS on https://localhost:${nginxPort}/`);
  return { nodes, nginxPort };
}

// ---------------------------------------------------------------------------------------------------
// HTTP

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export const tlsAgent = new https.Agent({ keepAlive: true, maxSockets: 256, rejectUnauthorized: false });
export const plainAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
let NGINX_PORT = 0;
export function setNginxPort(port: number) {
  NGINX_PORT = port;
}

export function send(
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
export const clientAddress = new AsyncLocalStorage<string>();
export const viaNginx = (method: string, urlPath: string, headers?: Record<string, string>, body?: Buffer | string) =>
  send(https, tlsAgent, NGINX_PORT, method, urlPath, headers, body, clientAddress.getStore());
export const direct = (
  node: Node,
  method: string,
  urlPath: string,
  headers?: Record<string, string>,
  body?: Buffer | string,
) => send(http, plainAgent, node.port, method, urlPath, headers, body);

/** Stop everything started here; keep the directory (with its logs) when asked or when `keep`. */
export async function cleanup(keep: boolean) {
  const pg = { primary: path.join(dir, "primary"), replica: path.join(dir, "replica") };
  for (const c of children) c.kill("SIGKILL");
  for (const d of [pg.replica, pg.primary]) {
    if (d && existsSync(path.join(d, "postmaster.pid"))) {
      try {
        pgTool("pg_ctl", ["-D", d, "-m", "immediate", "-w", "stop"], { quiet: true });
      } catch {}
    }
  }
  tlsAgent.destroy();
  plainAgent.destroy();
  if (process.env.CLUSTER_KEEP !== "1" && !keep) rmSync(dir, { recursive: true, force: true });
  else console.error(`logs kept in ${dir}`);
}
