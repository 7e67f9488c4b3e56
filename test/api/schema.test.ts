import { type Column, getTableColumns, getTableName, is, SQL, sql } from "drizzle-orm";
import { getTableConfig, PgDialect, PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import * as schema from "../../db/schema";
import { testDatabase } from "../support/db";

// The migrations are hand-written SQL; this keeps them and the drizzle schema in step, both ways: every
// column of a drizzle table exists with the same type, nullability and default (the value, not only its
// presence), every column of the migrated table is declared in drizzle; every index is declared on both
// sides with the same definition, and so are primary keys and UNIQUE constraints.
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

const dialect = new PgDialect();

/** A column default as PostgreSQL prints it (pg_get_expr), without its casts and quotes. */
function databaseDefault(expr: string): string {
  let s = expr.trim();
  for (let before = ""; before !== s; ) {
    before = s;
    s = s.replace(/::[a-z_ ]+(\(\d+(,\d+)?\))?(\[\])?$/i, "");
  }
  const quoted = /^'(.*)'$/s.exec(s);
  return quoted ? quoted[1].replace(/''/g, "'") : s;
}

/** Does the database's default for this column say what drizzle's does? */
function sameDefault(col: Column, expr: string | null): boolean {
  if (expr === null) return false;
  const db = databaseDefault(expr);
  const d = col.default;
  // serial: drizzle states no value, the database draws from the column's sequence.
  if (d === undefined) return col.columnType.includes("Serial") && db.startsWith("nextval(");
  if (is(d, SQL)) return db.toLowerCase() === dialect.sqlToQuery(d).sql.toLowerCase();
  const type = col.getSQLType();
  if (type === "jsonb" || type === "json") return JSON.stringify(JSON.parse(db)) === JSON.stringify(d);
  if (Array.isArray(d)) return db === `{${d.map(String).join(",")}}`;
  return db === String(d);
}

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
      default_expr: string | null;
    }>(
      db,
      sql`SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
            a.atthasdef AS has_default, a.attgenerated::text AS generated,
            pg_get_expr(d.adbin, d.adrelid) AS default_expr
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
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
      if (!generated && col.hasDefault) {
        expect(sameDefault(col, db.default_expr), `${name}.${col.name} default: database ${db.default_expr}`).toBe(
          true,
        );
      }
    }
    const names = new Set(declared.map((c) => c.name));
    const undeclared = columns.filter((c) => !names.has(c.name) && c.generated === "").map((c) => c.name);
    expect(undeclared, `${name}: columns missing from the drizzle schema`).toEqual([]);
    // Indexes, both ways: each drizzle declares exists with the same uniqueness, method, number of key
    // columns and partial predicate (or none); each the migrations create is declared in drizzle, but
    // those behind a primary key or UNIQUE constraint, which are compared as constraints below.
    const indexes = await rows<{
      name: string;
      unique: boolean;
      method: string;
      keys: number;
      partial: boolean;
      constraint: boolean;
    }>(
      db,
      sql`SELECT ic.relname AS name, i.indisunique AS unique, am.amname AS method, i.indnkeyatts AS keys,
            i.indpred IS NOT NULL AS partial, EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) AS constraint
          FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
            JOIN pg_am am ON am.oid = ic.relam
          WHERE tc.relname = ${name} AND tc.relnamespace = current_schema()::regnamespace`,
    );
    const config = getTableConfig(table);
    const byName = new Map(indexes.map((i) => [i.name, i]));
    for (const idx of config.indexes) {
      const found = byName.get(idx.config.name ?? "");
      expect(found, `${name}: index ${idx.config.name} exists`).toBeDefined();
      if (!found) continue;
      expect(
        { unique: found.unique, method: found.method, keys: found.keys, partial: found.partial },
        `${name}: index ${idx.config.name} as declared`,
      ).toEqual({
        unique: idx.config.unique,
        method: idx.config.method ?? "btree",
        keys: idx.config.columns.length,
        partial: idx.config.where !== undefined,
      });
    }
    const declaredIndexes = new Set(config.indexes.map((i) => i.config.name));
    const undeclaredIndexes = indexes.filter((i) => !i.constraint && !declaredIndexes.has(i.name)).map((i) => i.name);
    expect(undeclaredIndexes, `${name}: indexes missing from the drizzle schema`).toEqual([]);

    // Primary key and UNIQUE constraints, both ways, as sets of columns.
    const constraints = await rows<{ type: string; columns: string[] }>(
      db,
      sql`SELECT k.contype::text AS type,
            ARRAY(SELECT a.attname::text FROM unnest(k.conkey) c JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = c ORDER BY 1) AS columns
          FROM pg_constraint k JOIN pg_class tc ON tc.oid = k.conrelid
          WHERE tc.relname = ${name} AND tc.relnamespace = current_schema()::regnamespace AND k.contype IN ('p', 'u')`,
    );
    const key = (type: string, cols: string[]) => `${type}(${[...cols].sort().join(",")})`;
    const fromDrizzle = [
      ...declared.filter((c) => c.primary).map((c) => key("p", [c.name])),
      ...config.primaryKeys.map((k) =>
        key(
          "p",
          k.columns.map((c) => c.name),
        ),
      ),
      ...declared.filter((c) => c.isUnique).map((c) => key("u", [c.name])),
      ...config.uniqueConstraints.map((u) =>
        key(
          "u",
          u.columns.map((c) => c.name),
        ),
      ),
    ].sort();
    expect(
      constraints.map((k) => key(k.type, k.columns)).sort(),
      `${name}: primary key and UNIQUE constraints`,
    ).toEqual(fromDrizzle);
  });
});
