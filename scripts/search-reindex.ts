import { closeDatabase } from "../db/client";
import { searchBackend } from "../search/engine";
import { searchSources } from "../search/registry";
import { progressBar, reindex } from "../search/reindex";
import { prepare } from "../server/boot";

// npm run search:reindex — rebuild the configured search backend (embedded or Meilisearch) from the
// database. Progress on stderr; a summary on stdout.
const { db } = await prepare();
const backend = await searchBackend();
try {
  const result = await reindex(db, backend, { sources: searchSources, onProgress: progressBar(backend.name) });
  process.stderr.write("\n");
  const rate = Math.round(result.documents / Math.max(0.001, result.ms / 1000));
  console.log(
    `reindexed ${result.documents} documents into ${backend.name} in ${(result.ms / 1000).toFixed(1)} s (${rate} docs/s): ${JSON.stringify(result.perType)}`,
  );
} catch (err) {
  process.stderr.write("\n");
  console.error(`reindex failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeDatabase();
}
