import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { openDatabase } from "../db/client";
import { env } from "../lib/env";
import { backupRequestFile, writeBackup } from "../server/backup";

// npm run backup [-- <file>] — a consistent backup of the embedded database (uploaded files included),
// while the server runs. Default file: DATA_DIR/backups/sunshine-<UTC time>.tar.gz (+ .json manifest).
// With DATABASE_URL the server's database is backed up by pgBackRest (deploy/README.md), not this.
const e = env();
if (e.DATABASE_URL) {
  console.error("DATABASE_URL is set: back up the PostgreSQL server with pgBackRest (see deploy/README.md).");
  process.exit(2);
}
const dataDir = path.resolve(e.DATA_DIR);
const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "Z");
const target = path.resolve(process.argv[2] ?? path.join(dataDir, "backups", `sunshine-${stamp}.tar.gz`));

function runningServer(): number | null {
  const lock = path.join(dataDir, "pglite", "sunshine.lock");
  if (!existsSync(lock)) return null;
  const pid = Number(readFileSync(lock, "utf8").trim());
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

const pid = runningServer();
if (pid) {
  // The server holds the directory: it writes the dump itself (server/backup.ts answers SIGUSR2).
  const request = backupRequestFile(dataDir);
  await mkdir(path.dirname(request), { recursive: true, mode: 0o700 });
  rmSync(`${request}.error`, { force: true });
  writeFileSync(request, target);
  process.kill(pid, "SIGUSR2");
  const until = Date.now() + 300_000;
  while (!existsSync(`${target}.json`)) {
    if (existsSync(`${request}.error`)) {
      console.error(`backup failed in the server (pid ${pid}): ${readFileSync(`${request}.error`, "utf8")}`);
      process.exit(1);
    }
    if (Date.now() > until) {
      console.error(`the server (pid ${pid}) did not write ${target} within 5 minutes`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  rmSync(request, { force: true });
  console.log(readFileSync(`${target}.json`, "utf8").trim());
} else {
  const database = await openDatabase({ pgliteDir: path.join(dataDir, "pglite") });
  try {
    console.log(JSON.stringify(await writeBackup(database, target), null, 2));
  } finally {
    await database.close();
  }
}
console.log(`backup: ${target}`);
