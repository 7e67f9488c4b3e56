import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, rows } from "../../db/client";
import { migrate } from "../../db/migrate";
import { appendAudit } from "../../domain/audit/audit-log";
import { seedReference } from "../../seed/reference";
import { checkRestored, loadBackup, readManifest, writeBackup } from "../../server/backup";
import { putFile, readFileBytes } from "../../storage/files";
import { testDriver } from "../support/db";

// The embedded database's backup and restore drill (npm run backup / npm run restore -- --check):
// a dump taken from an open database, loaded into another directory, checked against its manifest.
// PGlite only (the server is backed up with pgBackRest); two extra databases, so one test.
const dir = mkdtempSync(path.join(tmpdir(), "sunshine-backup-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(testDriver() !== "pglite")("embedded database backup", () => {
  it("restores what was backed up, uploaded files and audit chain included, and notices a short restore", async () => {
    const source = await openDatabase({ pgliteDir: path.join(dir, "source") });
    try {
      await migrate(source);
      await seedReference(source.db);
      await putFile(source.db, "evidence/backup-test", Buffer.from("证据"), "image/png");
      await source.db.transaction((tx) =>
        appendAudit(tx, { actorId: null, action: "backup.test", subjectType: "test", subjectId: "1", details: {} }),
      );
      const file = path.join(dir, "backups", "b.tar.gz");
      const manifest = await writeBackup(source, file);
      expect(manifest.counts.stored_files).toBe(1);
      expect(manifest.auditRecords).toBeGreaterThanOrEqual(1);

      const restored = await loadBackup(file, path.join(dir, "restored"));
      try {
        const result = await checkRestored(restored.db, await readManifest(file));
        expect(result.problems).toEqual([]);
        expect(result.ok).toBe(true);
        expect((await readFileBytes(restored.db, "evidence/backup-test"))?.toString()).toBe("证据");
        // A restore that lost rows is reported, naming the table.
        await rows(restored.db, sql`DELETE FROM stored_files`);
        const short = await checkRestored(restored.db, await readManifest(file));
        expect(short.ok).toBe(false);
        expect(short.problems.join("\n")).toContain("stored_files: 0 rows, the backup had 1");
      } finally {
        await restored.close();
      }
    } finally {
      await source.close();
    }
  }, 300_000); // two more embedded databases to open (~10 s each on an idle machine)
});
