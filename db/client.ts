import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { type SQL, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { env } from "../lib/env";
import { acquireDataDirLock, type DataDirLock } from "./lock";
import * as schema from "./schema";

/** A database or a transaction: domain functions take this so they compose inside one transaction. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DriverName = "pglite" | "postgres";

export interface Database {
  db: Db;
  driver: DriverName;
  /** The server's postgres:// URL (undefined for PGlite): background jobs take their locks there. */
  url?: string;
  /** Run raw multi-statement SQL (test resets). */
  exec(sqlText: string): Promise<void>;
  /** Run raw multi-statement SQL in one transaction (migrations). */
  execInTransaction(sqlText: string): Promise<void>;
  close(): Promise<void>;
  /** Embedded database only: a consistent tarball of the data directory, taken while it runs. */
  dumpDataDir?: () => Promise<Blob>;
}

export interface OpenOptions {
  /** postgres:// URL, or undefined for PGlite. */
  url?: string;
  /** PGlite data directory, or "memory://" for a throwaway in-memory database. */
  pgliteDir?: string;
  poolMax?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.url) {
    const client = postgres(opts.url, {
      max: opts.poolMax ?? 10,
      onnotice: () => {},
      connection: { application_name: "sunshine" },
    });
    const db = drizzlePostgres(preparing(client), { schema }) as unknown as Db;
    return {
      db,
      driver: "postgres",
      url: opts.url,
      exec: async (text) => {
        await client.unsafe(text);
      },
      execInTransaction: async (text) => {
        await client.begin((tx) => tx.unsafe(text));
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  const dir = opts.pgliteDir ?? "memory://";
  let lock: DataDirLock | undefined;
  if (!dir.startsWith("memory://")) {
    mkdirSync(dir, { recursive: true });
    lock = acquireDataDirLock(dir);
  }
  try {
    const client = await PGlite.create(dir, { extensions: { pg_trgm } });
    const db = drizzlePglite(client, { schema }) as unknown as Db;
    return {
      db,
      driver: "pglite",
      exec: async (text) => {
        await client.exec(text);
      },
      execInTransaction: async (text) => {
        await client.transaction((tx) => tx.exec(text));
      },
      close: async () => {
        await client.close();
        lock?.release();
      },
      dumpDataDir: () => client.dumpDataDir("gzip"),
    };
  } catch (err) {
    lock?.release();
    throw err;
  }
}

const CUSTOM_PLAN = "/* custom plan */";

/**
 * This query planned for its values on every call, never with a prepared statement's generic plan: for
 * queries whose best path depends on the values (a rare category is read from its own index, a common
 * one in deadline order; a search word matching ten documents or ten thousand).
 */
export function customPlan(query: SQL): SQL {
  return sql`${sql.raw(CUSTOM_PLAN)} ${query}`;
}

/**
 * postgres.js runs drizzle's queries unnamed (parsed and planned again on every call). Parameterised
 * queries are named prepared statements instead, cached per connection: the text of each query is fixed
 * (values are parameters), so the set stays small, and hot paths such as filing and lookups skip the
 * parse and, once PostgreSQL settles on a generic plan, the planning. customPlan() opts a query out.
 */
function preparing(client: postgres.Sql): postgres.Sql {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === "unsafe") {
        return (query: string, args?: unknown[], options?: { prepare?: boolean }) =>
          target.unsafe(query, args as never, {
            ...options,
            prepare: Array.isArray(args) && args.length > 0 && !query.startsWith(CUSTOM_PLAN),
          });
      }
      if (prop === "begin") {
        return (...a: unknown[]) => {
          const fn = a.pop() as (tx: postgres.Sql) => unknown;
          return (target.begin as (...x: unknown[]) => unknown)(...a, (tx: postgres.Sql) => fn(preparing(tx)));
        };
      }
      if (prop === "savepoint") {
        return (...a: unknown[]) => {
          const fn = a.pop() as (tx: postgres.Sql) => unknown;
          return (target as unknown as { savepoint: (...x: unknown[]) => unknown }).savepoint(
            ...a,
            (tx: postgres.Sql) => fn(preparing(tx)),
          );
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

/** Rows of a raw query, whichever driver ran it (PGlite returns {rows}, postgres.js an array). */
export async function rows<T = Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

// The process-wide database lives on globalThis: the server entry and Astro's bundle each hold their
// own copy of this module, and both must share one connection (PGlite allows only one opener).
const SLOT = Symbol.for("sunshine.database");
type Slot = { current?: Promise<Database> };
const slot: Slot = ((globalThis as Record<symbol, Slot>)[SLOT] ??= {});

/** Use an already-open database as the process's database (tests). */
export function setDatabase(database: Database) {
  slot.current = Promise.resolve(database);
}

/**
 * The process's database, opened from configuration on first use. Opening only connects: the
 * composition root (server/boot.ts) migrates and seeds before anything is served.
 */
export function database(): Promise<Database> {
  slot.current ??= (async () => {
    const e = env();
    return openDatabase({
      url: e.DATABASE_URL,
      pgliteDir: path.resolve(e.DATA_DIR, "pglite"),
      poolMax: e.DATABASE_POOL_MAX,
    });
  })().catch((err) => {
    slot.current = undefined; // let a later request try again (e.g. the server came back)
    throw err;
  });
  return slot.current;
}

/** The drizzle handle of the process's database. */
export async function getDb(): Promise<Db> {
  return (await database()).db;
}

export async function closeDatabase() {
  const current = slot.current;
  slot.current = undefined;
  if (current) await (await current.catch(() => undefined))?.close();
}
