import { sql } from "drizzle-orm";
import postgres from "postgres";
import { type Database, openDatabase, rows, setDatabase } from "../../db/client";
import { migrate } from "../../db/migrate";
import { REFERENCE_TABLES, seedReference } from "../../seed/reference";
import { registerAllSearchSources } from "../../server/search-sources";

// One database per test worker: PGlite in memory, or a fresh database of its own on the PostgreSQL
// server named after TEST_DATABASE_URL's database and the worker id. Tables other than the reference
// data are emptied before each test.
const SLOT = Symbol.for("sunshine.test-database");
type Slot = { current?: Promise<Database> };
const slot: Slot = ((globalThis as Record<symbol, Slot>)[SLOT] ??= {});

export function testDriver(): "pglite" | "postgres" {
  return process.env.TEST_DB === "postgres" ? "postgres" : "pglite";
}

/** A fresh, empty UTF-8 database on the server; returns its URL. */
export async function createServerDatabase(baseUrl: string, name: string): Promise<string> {
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    // C.UTF-8 ctype: under ctype C, pg_trgm ignores Chinese characters.
    await admin.unsafe(
      `CREATE DATABASE "${name}" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0`,
    );
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function testDatabase(): Promise<Database> {
  slot.current ??= (async () => {
    let database: Database;
    if (testDriver() === "postgres") {
      const base = process.env.TEST_DATABASE_URL;
      if (!base) throw new Error("TEST_DB=postgres needs TEST_DATABASE_URL");
      const baseName = new URL(base).pathname.slice(1) || "postgres";
      const url = await createServerDatabase(base, `${baseName}_w${process.env.VITEST_POOL_ID ?? "1"}`);
      database = await openDatabase({ url, poolMax: 5 });
    } else {
      database = await openDatabase({ pgliteDir: "memory://" });
    }
    await migrate(database);
    await seedReference(database.db);
    registerAllSearchSources();
    setDatabase(database);
    return database;
  })();
  return slot.current;
}

let contentTables: string[] | undefined;

/** Empty every table except the reference data. */
export async function resetDatabase() {
  const database = await testDatabase();
  contentTables ??= (
    await rows<{ tablename: string }>(
      database.db,
      sql`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`,
    )
  )
    .map((r) => r.tablename)
    .filter((t) => !REFERENCE_TABLES.includes(t));
  if (contentTables.length) {
    await database.exec(`TRUNCATE ${contentTables.map((t) => `"${t}"`).join(", ")} RESTART IDENTITY CASCADE`);
  }
}
