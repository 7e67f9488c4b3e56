import { closeDatabase } from "../db/client";
import { searchBackend } from "../search/engine";
import { drainAll } from "../search/outbox";
import { prepare } from "../server/boot";

// npm run search:drain — send every waiting search change to the configured backend now (ignoring
// the retry backoff), e.g. after Meilisearch comes back. The server's worker does this continuously.
const { db } = await prepare();
try {
  const backend = await searchBackend();
  const r = await drainAll(db, backend, { ignoreBackoff: true });
  console.log(`search outbox: ${r.processed} delivered to ${backend.name}, ${r.failed} failed (kept for retry)`);
  if (r.failed > 0) process.exitCode = 1;
} finally {
  await closeDatabase();
}
