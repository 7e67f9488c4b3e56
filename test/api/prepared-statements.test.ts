import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { customPlan, rows } from "../../db/client";
import { testDatabase, testDriver } from "../support/db";

describe.runIf(testDriver() === "postgres")("prepared statements on the PostgreSQL server", () => {
  it("parameterised queries are prepared once per connection; customPlan() ones are planned per call", async () => {
    const { db } = await testDatabase();
    // One transaction = one connection, whose prepared statements pg_prepared_statements lists.
    const seen = await db.transaction(async (tx) => {
      await rows(tx, sql`SELECT ${"prepared-probe"}::text AS probe`);
      await rows(tx, sql`SELECT ${"prepared-probe"}::text AS probe`);
      await rows(tx, customPlan(sql`SELECT ${"custom-probe"}::text AS probe`));
      return rows<{ statement: string }>(
        tx,
        sql`SELECT statement FROM pg_prepared_statements WHERE statement LIKE ${"%AS probe%"}`,
      );
    });
    const statements = seen.map((r) => r.statement);
    expect(statements.filter((s) => s.includes("$1::text AS probe") && !s.includes("custom plan"))).toHaveLength(1);
    expect(statements.some((s) => s.includes("custom plan"))).toBe(false);
  });
});
