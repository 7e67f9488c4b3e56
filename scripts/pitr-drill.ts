// npm run backup:drill — the PostgreSQL server's backup and point-in-time restore, done for real on a
// private cluster: initdb with WAL archived by pgBackRest, the app's migrations, staff accounts (each
// one an audit record), a full backup, more accounts, then a restore to the moment between the two
// batches into a new data directory. The restored server must hold exactly the first batch and an
// intact audit chain (npm run audit:verify against it). Needs pgbackrest and the PostgreSQL server
// binaries; CLUSTER_KEEP=1 keeps the directory.
import { spawnSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { cleanup, dir, freePort, pgDir, pgTool, ROOT, say, sleep, startPrimary } from "./cluster-harness";

const problems: string[] = [];

function app(script: string, url: string, args: string[] = [], input?: string) {
  const r = spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, SEED_DEMO: "false", LOG_LEVEL: "warn" },
    input,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`${script} ${args.join(" ")}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

function pgbackrest(conf: string, args: string[]) {
  const r = spawnSync(
    process.getuid?.() === 0 ? "runuser" : "pgbackrest",
    process.getuid?.() === 0
      ? ["-u", "postgres", "--", "pgbackrest", `--config=${conf}`, "--stanza=sunshine", ...args]
      : [`--config=${conf}`, "--stanza=sunshine", ...args],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`pgbackrest ${args.join(" ")}: ${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function main() {
  const port = await freePort();
  const sockets = pgDir("sockets");
  chmodSync(sockets, 0o777);
  const work = pgDir("pgbackrest");
  const conf = path.join(work, "pgbackrest.conf");
  const primary = pgDir("primary");
  writeFileSync(
    conf,
    [
      "[global]",
      `repo1-path=${work}/repo`,
      `log-path=${work}/log`,
      `lock-path=${work}/lock`,
      "start-fast=y",
      "archive-async=n",
      "",
      "[sunshine]",
      `pg1-path=${primary}`,
      `pg1-port=${port}`,
      `pg1-socket-path=${sockets}`,
      "",
    ].join("\n"),
  );
  chmodSync(conf, 0o644);
  await startPrimary(primary, port, sockets, [
    "wal_level = replica",
    "archive_mode = on",
    `archive_command = 'pgbackrest --config=${conf} --stanza=sunshine archive-push %p'`,
    "max_wal_senders = 3",
  ]);
  const url = `postgres://postgres@127.0.0.1:${port}/sunshine`;
  pgbackrest(conf, ["stanza-create"]);
  pgbackrest(conf, ["check"]);
  say(`primary on ${port}, WAL archived by pgBackRest`);

  app("scripts/migrate.ts", url);
  const user = (name: string) =>
    app(
      "scripts/user-create.ts",
      url,
      ["--username", name, "--name", "演练", "--role", "publisher"],
      "drill-password-2026\n",
    );
  for (const n of ["drill-a1", "drill-a2", "drill-a3"]) user(n);
  pgbackrest(conf, ["--type=full", "backup"]);
  say("full backup taken");
  for (const n of ["drill-b1", "drill-b2"]) user(n);

  const db = postgres(url, { max: 1, onnotice: () => {} });
  const [before] = await db<{ users: number; audit: number; at: string }[]>`
    SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM audit_log) AS audit,
           now()::text AS at`;
  await sleep(1100);
  for (const n of ["drill-c1", "drill-c2"]) user(n); // after the target time: must not come back
  await db`SELECT pg_switch_wal()`;
  await db.end();
  await sleep(1000);
  pgTool("pg_ctl", ["-D", primary, "-m", "fast", "-w", "stop"], { quiet: true });

  // Restore to the target time into a new directory, on another port.
  const restored = pgDir("restored");
  pgbackrest(conf, [
    `--pg1-path=${restored}`,
    "--type=time",
    `--target=${before.at}`,
    "--target-action=promote",
    "restore",
  ]);
  const port2 = await freePort();
  const auto = path.join(restored, "postgresql.auto.conf");
  writeFileSync(
    auto,
    `${spawnSync("cat", [auto], { encoding: "utf8" }).stdout}\nport = ${port2}\narchive_mode = off\n`,
  );
  pgTool("pg_ctl", ["-D", restored, "-l", path.join(sockets, "restored.log"), "-w", "-t", "120", "start"], {
    quiet: true,
  });
  const url2 = `postgres://postgres@127.0.0.1:${port2}/sunshine`;
  const r = postgres(url2, { max: 1, onnotice: () => {} });
  for (let i = 0; i < 60; i++) {
    const [s] = await r<{ rec: boolean }[]>`SELECT pg_is_in_recovery() AS rec`;
    if (!s.rec) break;
    await sleep(500);
  }
  const [after] = await r<{ users: number; audit: number; late: number }[]>`
    SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM audit_log) AS audit,
           (SELECT count(*)::int FROM users WHERE username LIKE 'drill-c%') AS late`;
  await r.end();
  say(`restored to ${before.at}: ${after.users} users, ${after.audit} audit records`);
  if (after.users !== before.users) problems.push(`users: ${after.users} restored, ${before.users} at the target time`);
  if (after.audit !== before.audit)
    problems.push(`audit records: ${after.audit} restored, ${before.audit} at the target`);
  if (after.late !== 0) problems.push(`${after.late} accounts created after the target time came back`);
  const verify = app("scripts/audit-verify.ts", url2);
  if (!/audit chain OK/.test(verify)) problems.push(`audit chain: ${verify.trim()}`);
  console.log(
    `point-in-time restore drill: ${before.users} users and ${before.audit} audit records at ${before.at}; ${verify.trim()}`,
  );
}

try {
  await main();
} catch (err) {
  problems.push((err as Error).message);
} finally {
  await cleanup(problems.length > 0);
}
if (problems.length > 0) {
  console.log(`restore drill FAILED (${dir}):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log("restore drill passed");
process.exit(0);
