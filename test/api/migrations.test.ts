import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import { ChangedMigrationError, migrate, migrationChecksum } from "../../db/migrate";
import { testDatabase } from "../support/db";

// Migrations are immutable once applied: the runner keeps a checksum per file and refuses a changed one.
const dirs: string[] = [];
afterEach(async () => {
  const database = await testDatabase();
  await database.exec("DROP TABLE IF EXISTS mig_probe_migrations, mig_probe_a, mig_probe_b");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folder(files: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), "sunshine-mig-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const table = "mig_probe_migrations";
const first = "CREATE TABLE mig_probe_a (id int);";
const addChecksum = `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS checksum text;`;

describe("migration checksums", () => {
  it("records a checksum for every applied file and refuses to start when one changed, naming it", async () => {
    const database = await testDatabase();
    const dir = folder({ "0001_a.sql": first, "0002_checksum.sql": addChecksum });
    expect(await migrate(database, { dir, table })).toEqual(["0001_a.sql", "0002_checksum.sql"]);
    const recorded = await rows<{ name: string; checksum: string }>(
      database.db,
      sql.raw(`SELECT name, checksum FROM ${table} ORDER BY name`),
    );
    expect(recorded).toEqual([
      { name: "0001_a.sql", checksum: migrationChecksum(first) },
      { name: "0002_checksum.sql", checksum: migrationChecksum(addChecksum) },
    ]);
    // Unchanged files: a second run applies nothing and passes.
    expect(await migrate(database, { dir, table })).toEqual([]);
    // A corrected whole-line comment changes nothing the database ran: still accepted.
    writeFileSync(path.join(dir, "0001_a.sql"), `-- a corrected comment\n${first}`);
    expect(await migrate(database, { dir, table })).toEqual([]);

    writeFileSync(path.join(dir, "0001_a.sql"), `${first}\nCREATE INDEX mig_probe_a_idx ON mig_probe_a (id);`);
    writeFileSync(path.join(dir, "0003_b.sql"), "CREATE TABLE mig_probe_b (id int);");
    const refused = await migrate(database, { dir, table }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ChangedMigrationError);
    expect(String((refused as Error).message)).toContain("0001_a.sql");
    // Refused before anything else ran.
    const b = await rows(database.db, sql`SELECT 1 FROM information_schema.tables WHERE table_name = 'mig_probe_b'`);
    expect(b).toHaveLength(0);
  });

  it("fills in the checksums of files applied before checksums were recorded", async () => {
    const database = await testDatabase();
    // A database migrated by the old runner: applied 0001 with no checksum column.
    await database.exec(`CREATE TABLE ${table} (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
      ${first}
      INSERT INTO ${table} (name) VALUES ('0001_a.sql');`);
    const dir = folder({ "0001_a.sql": first, "0002_checksum.sql": addChecksum });
    expect(await migrate(database, { dir, table })).toEqual(["0002_checksum.sql"]);
    const recorded = await rows<{ name: string; checksum: string | null }>(
      database.db,
      sql.raw(`SELECT name, checksum FROM ${table} WHERE name = '0001_a.sql'`),
    );
    expect(recorded[0].checksum).toBe(migrationChecksum(first));
  });

  it("the project's own applied migrations all carry their file's checksum", async () => {
    const database = await testDatabase();
    const recorded = await rows<{ name: string; checksum: string | null }>(
      database.db,
      sql`SELECT name, checksum FROM schema_migrations`,
    );
    expect(recorded.length).toBeGreaterThan(20);
    expect(recorded.filter((r) => !r.checksum)).toEqual([]);
  });
});

describe("databases that applied the first text of 0029 and 0080 converge", () => {
  it("gets the received-time index, the narrowed category index, the category due index and 2-column routing stats", async () => {
    const database = await testDatabase();
    const indexDef = async (name: string) =>
      (
        await rows<{ indexdef: string }>(
          database.db,
          sql`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ${name}`,
        )
      )[0]?.indexdef;
    const want = {
      received: await indexDef("tickets_received_at_idx"),
      category: await indexDef("tickets_category_status_idx"),
      due: await indexDef("tickets_open_category_due_idx"),
    };
    // Put the database back to what the first committed text of 0029 and 0080 produced.
    await database.exec(`DROP INDEX tickets_received_at_idx;
      DROP INDEX tickets_category_status_idx;
      CREATE INDEX tickets_category_status_idx ON tickets (category_code, status) INCLUDE (routed_unit_id, subject_unit_id);
      DROP INDEX tickets_open_category_due_idx;
      DROP STATISTICS tickets_routing_stats;
      CREATE STATISTICS tickets_routing_stats (mcv, dependencies) ON category_code, routed_unit_id, tier FROM tickets;
      DELETE FROM schema_migrations WHERE name IN ('0121_open311_requests_index.sql', '0122_queue_filter_indexes_converge.sql');`);
    expect(await migrate(database)).toEqual([
      "0121_open311_requests_index.sql",
      "0122_queue_filter_indexes_converge.sql",
    ]);
    expect(await indexDef("tickets_received_at_idx")).toBe(want.received);
    expect(await indexDef("tickets_category_status_idx")).toBe(want.category);
    expect(await indexDef("tickets_open_category_due_idx")).toBe(want.due);
    expect(want.category).not.toContain("INCLUDE");
    const stats = await rows<{ keys: number; kind: string }>(
      database.db,
      sql`SELECT array_length(stxkeys::int2[], 1) AS keys, stxkind::text AS kind FROM pg_statistic_ext WHERE stxname = 'tickets_routing_stats'`,
    );
    expect(stats).toEqual([{ keys: 2, kind: "{m}" }]);
  });
});
