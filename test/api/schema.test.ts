import { getTableColumns, getTableName, is, sql } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import * as schema from "../../db/schema";
import { testDatabase } from "../support/db";

// The migrations are hand-written SQL; this keeps them and the drizzle schema in step.
describe("drizzle schema matches the migrated database", () => {
  const tables = (Object.values(schema) as unknown[]).filter((t): t is PgTable => is(t, PgTable));
  it.each(tables.map((t) => [getTableName(t), t] as const))("%s", async (name, table) => {
    const { db } = await testDatabase();
    const columns = await rows<{ column_name: string; is_nullable: string }>(
      db,
      sql`SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${name}`,
    );
    expect(columns.length, `table ${name} exists`).toBeGreaterThan(0);
    const actual = Object.fromEntries(columns.map((c) => [c.column_name, c.is_nullable === "NO"]));
    for (const col of Object.values(getTableColumns(table))) {
      expect(actual, `${name}.${col.name}`).toHaveProperty(col.name);
      expect(actual[col.name], `${name}.${col.name} NOT NULL`).toBe(col.notNull);
    }
  });
});
