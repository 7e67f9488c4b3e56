import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { sql } from "drizzle-orm";
import { type Database, type Db, openDatabase, rows } from "../db/client";
import { verifyAuditChain } from "../domain/audit/audit-log";
import { log } from "../lib/log";

// Backups of the embedded database (PGlite). Its dump is a consistent tarball of the data directory taken
// by the running process itself — uploaded files included, since they live in the database
// (storage/). `npm run backup` asks the running server for one (a request file and SIGUSR2) or, when no
// server holds the directory, opens it and dumps. `npm run restore` loads a dump into a data directory
// and checks it: the audit log's hash chain, the row counts recorded at backup time, the transparency
// log's entries against its checkpoints. The PostgreSQL server is backed up with pgBackRest instead
// (deploy/README.md).

/** What a backup holds, written next to it (counts taken just before the dump: the dump has at least these). */
export interface BackupManifest {
  createdAt: string;
  file: string;
  counts: Record<string, number>;
  auditRecords: number;
  logCheckpointSize: number | null;
}

const COUNTED = [
  "tickets",
  "ticket_evidence",
  "fund_allocations",
  "notices",
  "audit_log",
  "stored_files",
  "log_entries",
];

async function tableExists(db: Db, table: string) {
  const [r] = await rows<{ ok: boolean }>(db, sql`SELECT to_regclass(${table}) IS NOT NULL AS ok`);
  return r.ok;
}

/** Row counts of the tables a drill compares (tables a migration has not created yet are left out). */
export async function backupCounts(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of COUNTED) {
    if (!(await tableExists(db, t))) continue;
    const [r] = await rows<{ n: number }>(db, sql.raw(`SELECT count(*)::int AS n FROM ${t}`));
    out[t] = r.n;
  }
  return out;
}

async function checkpointSize(db: Db): Promise<number | null> {
  if (!(await tableExists(db, "log_checkpoints"))) return null;
  const [r] = await rows<{ size: string | null }>(db, sql`SELECT max(size)::text AS size FROM log_checkpoints`);
  return r.size === null ? null : Number(r.size);
}

/** Dump an open embedded database to `file` (atomically: a partial file never has the final name). */
export async function writeBackup(database: Database, file: string): Promise<BackupManifest> {
  if (!database.dumpDataDir) throw new Error("only the embedded database is backed up this way (use pgBackRest)");
  const counts = await backupCounts(database.db);
  const audit = await verifyAuditChain(database.db);
  const logCheckpointSize = await checkpointSize(database.db);
  const blob = await database.dumpDataDir();
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(`${file}.part`, Buffer.from(await blob.arrayBuffer()), { mode: 0o600 });
  await rename(`${file}.part`, file);
  const manifest: BackupManifest = {
    createdAt: new Date().toISOString(),
    file: path.basename(file),
    counts,
    auditRecords: audit.checked,
    logCheckpointSize,
  };
  await writeFile(`${file}.json`, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  log.info("backup written", { file: path.basename(file), bytes: blob.size });
  return manifest;
}

/** Load a dump into an empty data directory (or memory://) and open it. */
export async function loadBackup(file: string, dataDir: string): Promise<Database> {
  const blob = new Blob([await readFile(file)]);
  // PGlite unpacks the tarball on its first open; then the directory is an ordinary data directory.
  const loaded = await PGlite.create(dataDir, { loadDataDir: blob, extensions: { pg_trgm } });
  await loaded.close();
  return openDatabase({ pgliteDir: dataDir });
}

export interface DrillResult {
  ok: boolean;
  problems: string[];
  counts: Record<string, number>;
  auditRecords: number;
}

/** Check a restored database against its manifest: audit chain, counts, transparency log. */
export async function checkRestored(db: Db, manifest: BackupManifest | null): Promise<DrillResult> {
  const problems: string[] = [];
  const audit = await verifyAuditChain(db);
  if (!audit.ok) problems.push(`audit chain broken at record #${audit.firstBroken?.id}: ${audit.firstBroken?.reason}`);
  const counts = await backupCounts(db);
  if (manifest) {
    for (const [table, n] of Object.entries(manifest.counts)) {
      if ((counts[table] ?? 0) < n) problems.push(`${table}: ${counts[table] ?? 0} rows, the backup had ${n}`);
    }
    if (audit.checked < manifest.auditRecords) {
      problems.push(`audit log: ${audit.checked} records, the backup had ${manifest.auditRecords}`);
    }
  }
  if (await tableExists(db, "log_entries")) {
    const [e] = await rows<{ n: number; top: string | null }>(
      db,
      sql`SELECT count(*)::int AS n, max(idx)::text AS top FROM log_entries`,
    );
    if (e.n > 0 && Number(e.top) !== e.n - 1)
      problems.push(`transparency log: ${e.n} entries but the last is #${e.top}`);
    const size = await checkpointSize(db);
    if (size !== null && size > e.n) problems.push(`transparency log: checkpoint of ${size} entries, ${e.n} stored`);
    if (manifest?.logCheckpointSize != null && (size ?? 0) < manifest.logCheckpointSize) {
      problems.push(`transparency log: checkpoint ${size}, the backup had ${manifest.logCheckpointSize}`);
    }
  }
  return { ok: problems.length === 0, problems, counts, auditRecords: audit.checked };
}

export async function readManifest(file: string): Promise<BackupManifest | null> {
  try {
    return JSON.parse(await readFile(`${file}.json`, "utf8")) as BackupManifest;
  } catch {
    return null;
  }
}

/** A backup request the running server answers on SIGUSR2 (written by `npm run backup`). */
export function backupRequestFile(dataDir: string) {
  return path.join(dataDir, "backups", ".request");
}

/** In the server (embedded database): answer backup requests. */
export function answerBackupRequests(dataDir: string, database: () => Promise<Database>) {
  process.on("SIGUSR2", () => {
    void (async () => {
      const request = backupRequestFile(dataDir);
      try {
        const target = (await readFile(request, "utf8")).trim();
        if (!target) return;
        await writeBackup(await database(), target);
      } catch (err) {
        log.error("backup failed", { error: (err as Error).message });
        await writeFile(`${request}.error`, (err as Error).message).catch(() => {});
      }
    })();
  });
}
