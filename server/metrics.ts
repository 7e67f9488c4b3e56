import cluster from "node:cluster";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sql } from "drizzle-orm";
import client from "prom-client";
import { getDb, rows } from "../db/client";
import { replicaStatus } from "../db/replica";
import { env } from "../lib/env";
import { inFlightRequests, nodePhase } from "../lib/node-state";

// Prometheus metrics (GET /metrics): requests and latency per route — the route's pattern, never the
// URL, so the number of series stays bounded —, requests in flight, database connections, outbox and
// search-outbox depth, age of the last background run, replica lag, and the Node runtime's own
// (event-loop lag, heap, RSS, GC). With WEB_CONCURRENCY > 1 the primary process adds up its workers'.
// Guarded: a Bearer METRICS_TOKEN, or, without one, only a loopback peer (nginx does not proxy /metrics).

const registry = new client.Registry();
// What each worker answers the primary's aggregation with (prom-client's default is its global registry).
client.AggregatorRegistry.setRegistries([registry]);
client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });

const requests = new client.Counter({
  name: "sunshine_http_requests_total",
  help: "HTTP requests answered, by method, route pattern and status code",
  labelNames: ["method", "route", "status"] as const,
  registers: [registry],
});
const latency = new client.Histogram({
  name: "sunshine_http_request_duration_seconds",
  help: "Time to answer an HTTP request (until the response is finished), by method and route pattern",
  labelNames: ["method", "route"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});
new client.Gauge({
  name: "sunshine_http_requests_in_flight",
  help: "Requests being answered by this process",
  registers: [registry],
  collect() {
    this.set(inFlightRequests());
  },
});
new client.Gauge({
  name: "sunshine_ready",
  help: "1 while this process is ready for traffic (0 while starting or draining)",
  registers: [registry],
  collect() {
    this.set(nodePhase() === "ready" ? 1 : 0);
  },
});

let lastBackgroundRun = 0;
/** The scheduler reports each completed run (on the node that held the lock). */
export function backgroundRunFinished(at = Date.now()) {
  lastBackgroundRun = at;
}

// Database-wide figures are read once per scrape by the primary (or only) process.
const database = {
  pool: new client.Gauge({
    name: "sunshine_db_connections",
    help: "Connections of this application to the primary database, by state (all nodes)",
    labelNames: ["state"] as const,
  }),
  outbox: new client.Gauge({ name: "sunshine_notification_outbox_pending", help: "Notifications waiting to be sent" }),
  searchOutbox: new client.Gauge({ name: "sunshine_search_outbox_depth", help: "Search index changes waiting" }),
  sweepAge: new client.Gauge({
    name: "sunshine_background_last_run_age_seconds",
    help: "Seconds since this node last completed the background work (sweep, outbox, compaction); -1: never",
  }),
  replicaLag: new client.Gauge({
    name: "sunshine_replica_lag_seconds",
    help: "Measured lag of the read replica (-1: unknown or unreachable)",
  }),
  replicaInUse: new client.Gauge({ name: "sunshine_replica_in_use", help: "1 while public reads go to the replica" }),
};
const dbRegistry = new client.Registry();
for (const m of Object.values(database)) dbRegistry.registerMetric(m);

async function collectDatabase() {
  const r = replicaStatus();
  database.replicaLag.set(r.lagSeconds ?? -1);
  database.replicaInUse.set(r.inUse ? 1 : 0);
  database.sweepAge.set(lastBackgroundRun ? (Date.now() - lastBackgroundRun) / 1000 : -1);
  const db = await getDb();
  const [depth] = await rows<{ outbox: number; search: number }>(
    db,
    sql`SELECT (SELECT count(*) FROM notification_outbox WHERE status = 'pending')::int AS outbox,
               (SELECT count(*) FROM search_outbox)::int AS search`,
  );
  database.outbox.set(depth.outbox);
  database.searchOutbox.set(depth.search);
  if (env().DATABASE_URL) {
    const states = await rows<{ state: string; n: number }>(
      db,
      sql`SELECT coalesce(state, 'unknown') AS state, count(*)::int AS n FROM pg_stat_activity
          WHERE application_name = 'sunshine' GROUP BY 1`,
    );
    database.pool.reset();
    for (const s of states) database.pool.set({ state: s.state }, s.n);
  }
}

const STATIC = /^\/(_astro|fonts|favicon|icons?)\b/;
const ID_SEGMENT = /^(\d+|[0-9a-f]{16,}|[A-Z]{2,}-\d{4}-\d+|[0-9a-f-]{36})$/i;

/**
 * The route pattern of a URL, for labels: ids become ":id", static assets one label, anything that was
 * not found "unmatched" (so probing random URLs cannot create series). Pure.
 */
export function routeLabel(url: string, status: number): string {
  if (status === 404) return "unmatched";
  const path = url.split("?")[0] || "/";
  if (STATIC.test(path)) return "/_static";
  const segments = path.split("/").map((s) => (ID_SEGMENT.test(s) ? ":id" : s));
  // Rendition files (/archive/photos/3/960.webp) and other file names under an id: one label.
  const last = segments.length - 1;
  if (last > 1 && segments[last - 1] === ":id" && /\.\w+$/.test(segments[last])) segments[last] = ":file";
  return segments.slice(0, 8).join("/").slice(0, 120);
}

/** Count one answered request (called when the response finishes or the client goes away). */
export function observeRequest(req: IncomingMessage, res: ServerResponse, startedAt: bigint) {
  const route = routeLabel(req.url ?? "/", res.statusCode);
  const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
  requests.inc({ method, route, status: String(res.statusCode) });
  latency.observe({ method, route }, Number(process.hrtime.bigint() - startedAt) / 1e9);
}

function allowed(req: IncomingMessage): boolean {
  const token = env().METRICS_TOKEN;
  if (token) return req.headers.authorization === `Bearer ${token}`;
  const peer = req.socket.remoteAddress ?? "";
  return peer === "127.0.0.1" || peer === "::1" || peer === "::ffff:127.0.0.1";
}

const aggregator = cluster.isPrimary ? new client.AggregatorRegistry() : undefined;
if (cluster.isPrimary) {
  // A worker asks the primary for everyone's metrics (prom-client's cluster protocol answers it).
  cluster.on("message", (worker, message: { type?: string; id?: number }) => {
    if (message?.type !== "sunshine:metrics") return;
    void metricsText().then(
      (text) => worker.send({ type: "sunshine:metrics-reply", id: message.id, text }),
      (err: Error) => worker.send({ type: "sunshine:metrics-reply", id: message.id, error: err.message }),
    );
  });
}

let nextAsk = 0;
function askPrimary(): Promise<string> {
  return new Promise((resolve, reject) => {
    const id = ++nextAsk;
    const onMessage = (m: { type?: string; id?: number; text?: string; error?: string }) => {
      if (m?.type !== "sunshine:metrics-reply" || m.id !== id) return;
      process.off("message", onMessage);
      clearTimeout(timer);
      if (m.error) reject(new Error(m.error));
      else resolve(m.text ?? "");
    };
    const timer = setTimeout(() => {
      process.off("message", onMessage);
      reject(new Error("metrics: the primary process did not answer"));
    }, 5_000);
    process.on("message", onMessage);
    process.send?.({ type: "sunshine:metrics", id });
  });
}

/** This node's metrics in Prometheus text format (every process's when run in the primary). */
export async function metricsText(): Promise<string> {
  if (cluster.isWorker) return askPrimary();
  await collectDatabase().catch(() => {});
  const workers = Object.keys(cluster.workers ?? {}).length;
  const processes = workers > 0 ? await aggregator!.clusterMetrics() : await registry.metrics();
  return `${processes}\n${await dbRegistry.metrics()}`;
}

/** GET /metrics. */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse) {
  if (!allowed(req)) {
    res.writeHead(403, { "Content-Type": "text/plain; charset=utf-8" }).end("forbidden\n");
    return;
  }
  try {
    const text = await metricsText();
    res.writeHead(200, { "Content-Type": registry.contentType, "Cache-Control": "no-store" }).end(text);
  } catch (err) {
    res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8" }).end(`${(err as Error).message}\n`);
  }
}
