import { type Database, database } from "../db/client";
import { migrate } from "../db/migrate";
import { mergeSourcesFile } from "../domain/monitor/sources";
import { env } from "../lib/env";
import { log } from "../lib/log";
import { seedIfEmpty } from "../seed";
import { registerAllSearchSources } from "./search-sources";

// The composition root's start-up: open the configured database, apply pending migrations, seed an empty
// database (reference data; demo data on the embedded database unless SEED_DEMO says otherwise) and
// register the search sources. The server, `astro dev` and the CLI scripts call prepare() before they
// use the database; the work is done once per process (the slot lives on globalThis because the server
// entry and Astro's bundle each load their own copy of this module).
const SLOT = Symbol.for("sunshine.prepared");
type Slot = { current?: Promise<Database> };
const slot: Slot = ((globalThis as Record<symbol, Slot>)[SLOT] ??= {});

export function prepare(opts: { seed?: boolean } = {}): Promise<Database> {
  registerAllSearchSources();
  slot.current ??= (async () => {
    const e = env();
    const started = Date.now();
    const opened = await database();
    const applied = await migrate(opened);
    if (opts.seed !== false) await seedIfEmpty(opened.db, { demo: e.SEED_DEMO ?? !e.DATABASE_URL });
    if (e.MONITOR_SOURCES_FILE)
      log.info("monitor sources merged", await mergeSourcesFile(opened.db, e.MONITOR_SOURCES_FILE));
    log.info("database ready", { driver: opened.driver, migrationsApplied: applied.length, ms: Date.now() - started });
    return opened;
  })().catch((err) => {
    slot.current = undefined;
    throw err;
  });
  return slot.current;
}
