import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { closeDatabase, database, getDb } from "../db/client";
import { startBackgroundWork } from "../domain/casework/worker";
import { ConfigError, env } from "../lib/env";
import { log } from "../lib/log";

// The production process: configuration, database (migrated, seeded if empty), then Astro's server
// (which mounts the API under /api), and an orderly stop on SIGTERM/SIGINT.
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

try {
  await database();
} catch (err) {
  console.error(`Cannot open the database: ${(err as Error).message}`);
  process.exit(1);
}

// With Meilisearch, a worker sends the search outbox's changes to it (with retries).
const searchWorker = config.MEILISEARCH_URL ? await (await import("../search/worker")).startSearchWorker() : undefined;

// Deadline sweep and notification outbox, on an interval (SWEEP_INTERVAL_SECONDS; 0 = off).
const stopBackgroundWork = startBackgroundWork(getDb);

process.env.ASTRO_NODE_AUTOSTART = "disabled";
process.env.ASTRO_NODE_LOGGING = "disabled";
process.env.HOST = config.HOST;
process.env.PORT = String(config.PORT);
const { startServer } = (await import(pathToFileURL(entry).href)) as {
  startServer: () => { server: { server: import("node:http").Server } };
};
const http = startServer().server;
http.server.once("listening", () => {
  log.info("listening", { url: `http://${config.HOST}:${config.PORT}/`, startupMs: Date.now() - started });
});
http.server.once("error", async (err) => {
  console.error(`Cannot listen on ${config.HOST}:${config.PORT}: ${err.message}`);
  await closeDatabase();
  process.exit(1);
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info("shutting down", { signal });
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  stopBackgroundWork();
  await new Promise<void>((resolve) => http.server.close(() => resolve()));
  await searchWorker?.stop();
  await closeDatabase();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
