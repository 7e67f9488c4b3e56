import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { type Database, rows } from "./client";

// The committed SQL files in db/migrations, applied in name order, each once, each in a transaction.
// One runner for both drivers (drizzle-kit's CLI cannot load PGlite's extensions). Files are written
// by hand next to the drizzle schema; test/api/schema.test.ts checks the two agree.
//
// A migration is immutable once applied: the runner records the SHA-256 of each file's statements and
// refuses to run against a database whose applied files have since changed (a database that applied the
// old text would never get the new one). Whole-line comments are not part of the checksum: they change
// nothing a database ran, so a comment may be corrected. Rows applied before checksums were recorded get theirs filled in from
// the files as they are on the first run that can.
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

export class ChangedMigrationError extends Error {
  constructor(readonly files: string[]) {
    super(
      `Applied migration${files.length > 1 ? "s" : ""} changed since applied: ${files.join(", ")}. ` +
        "Migrations are immutable: restore the committed text and put the change in a new migration file.",
    );
    this.name = "ChangedMigrationError";
  }
}

export function migrationChecksum(text: string): string {
  const statements = text
    .split("\n")
    .filter((line) => !/^\s*--/.test(line))
    .map((line) => line.trimEnd())
    .join("\n");
  return createHash("sha256").update(statements, "utf8").digest("hex");
}

export interface MigrateOptions {
  /** Folder of NNNN_name.sql files (default: db/migrations). */
  dir?: string;
  /** Bookkeeping table (default: schema_migrations); tests use their own. */
  table?: string;
}

export async function migrate(database: Database, options: MigrateOptions = {}): Promise<string[]> {
  const dir = options.dir ?? migrationsDir();
  const table = options.table ?? "schema_migrations";
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`Bad migrations table name: ${table}`);
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  const texts = new Map(files.map((f) => [f, readFileSync(path.join(dir, f), "utf8")]));
  await database.exec(
    `CREATE TABLE IF NOT EXISTS ${table} (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const hasChecksumColumn = async () =>
    (
      await rows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = ${table} AND column_name = 'checksum'`,
      )
    )[0]?.n === 1;
  let withChecksum = await hasChecksumColumn();
  if (withChecksum) await verifyApplied(database, table, texts);

  const done = new Set(
    (await rows<{ name: string }>(database.db, sql.raw(`SELECT name FROM ${table}`))).map((r) => r.name),
  );
  const applied: string[] = [];
  for (const file of files.filter((f) => !done.has(f))) {
    const text = texts.get(file) as string;
    // The advisory lock serialises concurrent starters on a shared server; a file another process
    // applied meanwhile aborts its transaction harmlessly.
    const name = file.replace(/'/g, "");
    const sum = migrationChecksum(text);
    try {
      await database.execInTransaction(`SELECT pg_advisory_xact_lock(727317);
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM ${table} WHERE name = '${name}') THEN
    RAISE EXCEPTION 'sunshine:already-applied';
  END IF;
END $$;
${text}
;
INSERT INTO ${table} (name) VALUES ('${name}');
${withChecksum ? `UPDATE ${table} SET checksum = '${sum}' WHERE name = '${name}';` : ""}`);
      applied.push(file);
    } catch (err) {
      if (!String((err as Error).message).includes("sunshine:already-applied")) {
        throw new Error(`Migration ${file} failed: ${(err as Error).message}`);
      }
    }
    // The migration that adds the checksum column is one of these files.
    if (!withChecksum) withChecksum = await hasChecksumColumn();
  }
  if (withChecksum) await verifyApplied(database, table, texts);
  return applied;
}

/** Fill in missing checksums from the files, then refuse if any applied file no longer matches. */
async function verifyApplied(database: Database, table: string, texts: Map<string, string>) {
  const recorded = await rows<{ name: string; checksum: string | null }>(
    database.db,
    sql.raw(`SELECT name, checksum FROM ${table} ORDER BY name`),
  );
  const changed: string[] = [];
  for (const row of recorded) {
    const text = texts.get(row.name);
    // A row with no file: a migration from a newer build, or a deleted file. Nothing to compare.
    if (text === undefined) continue;
    const sum = migrationChecksum(text);
    if (row.checksum === null) {
      await database.exec(
        `UPDATE ${table} SET checksum = '${sum}' WHERE name = '${row.name.replace(/'/g, "")}' AND checksum IS NULL`,
      );
    } else if (row.checksum !== sum) {
      changed.push(row.name);
    }
  }
  if (changed.length) throw new ChangedMigrationError(changed);
}
