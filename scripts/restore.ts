import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { env } from "../lib/env";
import { checkRestored, loadBackup, readManifest } from "../server/backup";

// npm run restore -- <file>          replace DATA_DIR/pglite with the backup (the server must be stopped;
//                                     the current directory is kept as pglite.before-restore-<time>)
// npm run restore -- <file> --check  the restore drill: load the backup into a temporary directory and
//                                     verify it (audit chain, counts, transparency log), change nothing
const file = process.argv[2];
const checkOnly = process.argv.includes("--check");
if (!file || !existsSync(file)) {
  console.error("usage: npm run restore -- <backup.tar.gz> [--check]");
  process.exit(2);
}
const e = env();
if (e.DATABASE_URL) {
  console.error("DATABASE_URL is set: restore the PostgreSQL server with pgBackRest (see deploy/README.md).");
  process.exit(2);
}
const dataDir = path.resolve(e.DATA_DIR);
const live = path.join(dataDir, "pglite");
let target = live;
if (checkOnly) {
  target = path.join(mkdtempSync(path.join(tmpdir(), "sunshine-restore-")), "pglite");
} else {
  const lock = path.join(live, "sunshine.lock");
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, "utf8").trim());
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {}
    if (alive) {
      console.error(`the server (pid ${pid}) is running on ${live}: stop it first`);
      process.exit(1);
    }
  }
  if (existsSync(live)) {
    const aside = `${live}.before-restore-${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "Z")}`;
    renameSync(live, aside);
    console.log(`the current database was moved to ${aside}`);
  }
}

const started = Date.now();
const database = await loadBackup(path.resolve(file), target);
const result = await checkRestored(database.db, await readManifest(path.resolve(file)));
await database.close();
if (checkOnly) rmSync(path.dirname(target), { recursive: true, force: true });
console.log(
  JSON.stringify({ restored: checkOnly ? "(check only)" : target, ms: Date.now() - started, ...result }, null, 2),
);
if (!result.ok) {
  console.error(`restore check FAILED:\n  ${result.problems.join("\n  ")}`);
  process.exit(1);
}
console.log("restore check passed: audit chain intact, counts and transparency log as in the backup");
