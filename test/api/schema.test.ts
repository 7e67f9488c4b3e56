import { getTableColumns, getTableName, is, sql } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import * as schema from "../../db/schema";
import { testDatabase } from "../support/db";

// The migrations are hand-written SQL; this keeps them and the drizzle schema in step, both ways: every
// column of a drizzle table exists with the same type, nullability and presence of a default, every
// column of the migrated table is declared in drizzle, and every index drizzle declares exists.
const normalise = (t: string) =>
  t
    .replace(/^character varying/, "varchar")
    .replace(/,\s+/g, ",")
    .toLowerCase();

// drizzle's SQL type names for the same PostgreSQL types.
const DRIZZLE_TYPE: Record<string, string> = {
  serial: "integer",
  bigserial: "bigint",
  smallserial: "smallint",
  timestamp: "timestamp without time zone",
  "timestamp with time zone": "timestamp with time zone",
};

describe("drizzle schema matches the migrated database", () => {
  const tables = (Object.values(schema) as unknown[]).filter((t): t is PgTable => is(t, PgTable));
  it("declares every migrated table", async () => {
    const { db } = await testDatabase();
    const migrated = await rows<{ name: string }>(
      db,
      sql`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`,
    );
    const declared = new Set(tables.map((t) => getTableName(t)));
    // schema_migrations belongs to the migration runner (db/migrate.ts), not to the application.
    expect(migrated.map((t) => t.name).filter((t) => !declared.has(t) && t !== "schema_migrations")).toEqual([]);
  });
  it.each(tables.map((t) => [getTableName(t), t] as const))("%s", async (name, table) => {
    const { db } = await testDatabase();
    const columns = await rows<{
      name: string;
      type: string;
      not_null: boolean;
      has_default: boolean;
      generated: string;
    }>(
      db,
      sql`SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
            a.atthasdef AS has_default, a.attgenerated::text AS generated
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = current_schema() AND c.relname = ${name} AND a.attnum > 0 AND NOT a.attisdropped`,
    );
    expect(columns.length, `table ${name} exists`).toBeGreaterThan(0);
    const actual = new Map(columns.map((c) => [c.name, c]));
    const declared = Object.values(getTableColumns(table));
    for (const col of declared) {
      const db = actual.get(col.name);
      expect(db, `${name}.${col.name} exists`).toBeDefined();
      if (!db) continue;
      expect(db.not_null, `${name}.${col.name} NOT NULL`).toBe(col.notNull);
      const type = normalise(DRIZZLE_TYPE[col.getSQLType()] ?? col.getSQLType());
      expect(normalise(db.type), `${name}.${col.name} type`).toBe(type);
      const generated = db.generated !== "";
      if (!generated) expect(db.has_default, `${name}.${col.name} has a default`).toBe(col.hasDefault);
    }
    const names = new Set(declared.map((c) => c.name));
    const undeclared = columns.filter((c) => !names.has(c.name) && c.generated === "").map((c) => c.name);
    expect(undeclared, `${name}: columns missing from the drizzle schema`).toEqual([]);
    const indexes = new Set(
      (
        await rows<{ name: string }>(
          db,
          sql`SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ${name}`,
        )
      ).map((r) => r.name),
    );
    for (const idx of getTableConfig(table).indexes) {
      expect(indexes, `${name}: index ${idx.config.name}`).toContain(idx.config.name);
    }
  });
});
