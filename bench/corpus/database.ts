import type { SQL } from "drizzle-orm";
import type { Database } from "../../db/client";

// The project's modules are imported when called, not at load: a benchmark may set the keys in
// process.env first (lib/crypto reads them once).

/** The count `query` returns (as `n`) in the database at `dbUrl`; 0 when the database or the table is missing. */
export async function countInDatabase(dbUrl: string, query: SQL): Promise<number> {
  const { openDatabase, rows } = await import("../../db/client");
  const database = await openDatabase({ url: dbUrl }).catch(() => null);
  if (!database) return 0;
  try {
    const [r] = await rows<{ n: number }>(database.db, query);
    return Number(r.n);
  } catch {
    return 0;
  } finally {
    await database.close();
  }
}

/** The database at `dbUrl` dropped and created again on its server, migrated, with the reference data. */
export async function freshReferenceDatabase(dbUrl: string): Promise<Database> {
  const { createServerDatabase } = await import("../../test/support/db");
  const { openDatabase } = await import("../../db/client");
  const { migrate } = await import("../../db/migrate");
  const { seedReference } = await import("../../seed");
  const url = new URL(dbUrl);
  await createServerDatabase(`${url.protocol}//${url.username}@${url.host}/postgres`, url.pathname.slice(1));
  const database = await openDatabase({ url: dbUrl });
  await migrate(database);
  await seedReference(database.db);
  return database;
}

/** The name of the database in `dbUrl`. */
export const databaseName = (dbUrl: string) => new URL(dbUrl).pathname.slice(1);
