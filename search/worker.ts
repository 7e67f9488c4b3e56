import { getDb } from "../db/client";
import { log } from "../lib/log";
import { searchBackend } from "./engine";
import { startOutboxWorker } from "./outbox";

/** Start draining search_outbox into the configured backend (the server does this with Meilisearch). */
export async function startSearchWorker() {
  const backend = await searchBackend();
  log.info("search outbox worker started", { backend: backend.name });
  return startOutboxWorker(getDb, backend);
}
