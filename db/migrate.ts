import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { type Database, rows } from "./client";

// The committed SQL files in db/migrations, applied in name order, each once, each in a transaction.
// One runner for both drivers (drizzle-kit's CLI cannot load PGlite's extensions). Files are written
// by hand next to the drizzle schema; test/api/schema.test.ts checks the two agree.
const here = path.dirname(fileURLToPath(import.meta.url));

export function migrationsDir() {
  // In Astro's bundle this module lives in dist/server/chunks; the SQL stays in the source tree.
  const candidates = [path.join(here, "migrations"), path.resolve(process.cwd(), "db/migrations")];
  for (const dir of candidates) {
    try {
      if (readdirSync(dir).some((f) => f.endsWith(".sql"))) return dir;
    } catch {}
  }
  throw new Error(`No migrations found (looked in ${candidates.join(", ")})`);
}

export async function migrate(database: Database): Promise<string[]> {
  const dir = migrationsDir();
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  await database.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
  );
  const done = new Set(
    (await rows<{ name: string }>(database.db, sql`SELECT name FROM schema_migrations`)).map((r) => r.name),
  );
  const applied: string[] = [];
  for (const file of files.filter((f) => !done.has(f))) {
    const text = readFileSync(path.join(dir, file), "utf8");
    // The advisory lock serialises concurrent starters on a shared server; a file another process
    // applied meanwhile aborts its transaction harmlessly.
    const name = file.replace(/'/g, "");
    try {
      await database.execInTransaction(`SELECT pg_advisory_xact_lock(727317);
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM schema_migrations WHERE name = '${name}') THEN
    RAISE EXCEPTION 'sunshine:already-applied';
  END IF;
END $$;
${text}
;
INSERT INTO schema_migrations (name) VALUES ('${name}');`);
      applied.push(file);
    } catch (err) {
      if (!String((err as Error).message).includes("sunshine:already-applied")) {
        throw new Error(`Migration ${file} failed: ${(err as Error).message}`);
      }
    }
  }
  return applied;
}
