import cluster from "node:cluster";
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { availableParallelism } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { closeAdvisoryLocks } from "../db/advisory-lock";
import { closeDatabase, getDb } from "../db/client";
import { startReplicaMonitor } from "../db/replica";
import { refuseOversizedBody } from "../lib/body-cap";
import { clientOfNodeRequest, settleForwardingHeaders } from "../lib/client-address";
import { ConfigError, env } from "../lib/env";
import { log } from "../lib/log";
import { nodePhase, requestFinished, requestStarted, setNodePhase } from "../lib/node-state";
import { prepare } from "../server/boot";
import { observeRequest, serveMetrics } from "../server/metrics";
import { startBackgroundWork } from "../server/scheduler";

// The production process: configuration, database (migrated, seeded if empty), then the HTTP server:
// the API apps (/api/*, /open311/*) answer directly, pages and static files go to Astro's handler; and
// an orderly stop on SIGTERM/SIGINT. With a PostgreSQL server, WEB_CONCURRENCY processes serve (one per
// core by default): this primary process prepares the database and runs the background work, its
// workers serve HTTP on the shared port. The embedded database allows one process only.
const started = Date.now();
let config: ReturnType<typeof env>;
try {
  config = env();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const entry = path.resolve(process.env.SUNSHINE_BUILD_DIR ?? "dist", "server/entry.mjs");
if (!existsSync(entry)) {
  console.error("dist/server/entry.mjs is missing: run `npm run build` (npm start does it for you).");
  process.exit(1);
}

const processes = config.WEB_CONCURRENCY ?? (config.DATABASE_URL ? Math.min(availableParallelism(), 8) : 1);
const isWorker = cluster.isWorker;

try {
  await prepare();
} catch (err) {
  console.error(`Cannot open the database: ${(err as Error).message}`);
  process.exit(1);
}

// Background work once, in the primary (server/scheduler.ts).
const stopBackgroundWork = isWorker ? async () => {} : await startBackgroundWork(getDb);

let server: Server | undefined;
let stopReplicaMonitor = async () => {};
if (processes > 1 && cluster.isPrimary) {
  for (let i = 0; i < processes; i++) cluster.fork();
  let listening = 0;
  cluster.on("listening", () => {
    if (++listening === processes) {
      log.info("listening", {
        url: `http://${config.HOST}:${config.PORT}/`,
        processes,
        startupMs: Date.now() - started,
      });
    }
  });
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    log.error("server process stopped; starting another", { pid: worker.process.pid, code, signal });
    cluster.fork();
  });
} else {
  server = await startHttpServer();
}

async function startHttpServer() {
  // Public reads may go to DATABASE_REPLICA_URL while it keeps up (db/replica.ts): each serving
  // process watches it.
  stopReplicaMonitor = startReplicaMonitor();
  process.env.ASTRO_NODE_AUTOSTART = "disabled";
  process.env.ASTRO_NODE_LOGGING = "disabled";
  type Listener = (req: IncomingMessage, res: ServerResponse) => void;
  const { handler: pages } = (await import(pathToFileURL(entry).href)) as { handler: Listener };
  // The API apps without Astro in front (its routing and middleware would cost a third of the API's
  // throughput): the same objects site/pages/{api,open311}/[...path].ts mount under `astro dev`.
  const { getRequestListener } = await import("@hono/node-server");
  const { app } = await import("../api/app");
  const { open311 } = await import("../api/open311/app");
  const { logApp } = await import("../api/log/app");
  const { clientBindings } = await import("../api/middleware/client");
  const listen = (fetch: (req: Request, incoming: IncomingMessage) => Response | Promise<Response>) =>
    getRequestListener((req, env) => fetch(req, env.incoming as IncomingMessage), { overrideGlobalObjects: false });
  // The client (socket address, or what a trusted proxy says: lib/client-address.ts) goes to the apps as
  // a binding (c.env.client), never from a header anyone else could forge.
  const api = listen((req, incoming) => app.fetch(req, clientBindings(clientOfNodeRequest(incoming))));
  const tlog = listen((req) => logApp.fetch(req));
  const geo = listen((req, incoming) => open311.fetch(req, clientBindings(clientOfNodeRequest(incoming))));

  const cap = { maxBody: config.MAX_BODY_BYTES, maxUpload: config.MAX_UPLOAD_BYTES };
  const http = createServer((req, res) => {
    const url = req.url ?? "/";
    // Every request is counted (in flight, then by route pattern and status: server/metrics.ts).
    const startedAt = process.hrtime.bigint();
    requestStarted();
    let counted = false;
    const done = () => {
      if (counted) return;
      counted = true;
      requestFinished();
      observeRequest(req, res, startedAt);
    };
    res.once("finish", done);
    res.once("close", done);
    // While draining, each answer closes its connection, so the proxy opens new ones to other nodes.
    if (nodePhase() === "draining") res.setHeader("Connection", "close");
    if (url === "/metrics" || url.startsWith("/metrics?")) return void serveMetrics(req, res);
    if (url === "/api" || url.startsWith("/api/") || url.startsWith("/api?")) return void api(req, res);
    if (url.startsWith("/open311/")) return void geo(req, res);
    if (url.startsWith("/log/")) return void tlog(req, res);
    if (refuseOversizedBody(req, res, cap)) return;
    // Astro believes X-Forwarded-For/-Proto from anyone: they are replaced by the resolved client first.
    settleForwardingHeaders(req, clientOfNodeRequest(req));
    pages(req, res);
  });
  http.listen(config.PORT, config.HOST, () => {
    setNodePhase("ready");
    if (!isWorker)
      log.info("listening", { url: `http://${config.HOST}:${config.PORT}/`, startupMs: Date.now() - started });
  });
  http.once("error", async (err) => {
    console.error(`Cannot listen on ${config.HOST}:${config.PORT}: ${err.message}`);
    await closeDatabase();
    process.exit(1);
  });
  return http;
}

let stopping = false;
/**
 * Graceful drain: readiness fails at once (GET /api/health/ready → 503), the listening socket closes (a
 * proxy's new connections go to other nodes), idle keep-alive connections close, in-flight requests get
 * DRAIN_TIMEOUT_SECONDS to finish (their responses say Connection: close), then the process exits.
 */
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  setNodePhase("draining");
  if (!isWorker) log.info("shutting down", { signal });
  const drainMs = config.DRAIN_TIMEOUT_SECONDS * 1000;
  const force = setTimeout(() => process.exit(1), drainMs + 10_000);
  force.unref();
  const cutOff = setTimeout(() => server?.closeAllConnections(), drainMs);
  cutOff.unref();
  const stoppingWork = stopBackgroundWork();
  const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
  await Promise.all([
    ...workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          w.once("exit", () => resolve());
          w.process.kill("SIGTERM");
        }),
    ),
    server &&
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  ]);
  await stoppingWork;
  await stopReplicaMonitor();
  await closeAdvisoryLocks();
  await closeDatabase();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
