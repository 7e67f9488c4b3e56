import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The PostgreSQL server's backup and point-in-time restore with pgBackRest (scripts/pitr-drill.ts),
// on a private cluster. CI installs pgbackrest and has the server binaries (.ci/run).
const PG_BIN =
  process.env.PG_BIN ??
  (existsSync("/usr/lib/postgresql")
    ? `/usr/lib/postgresql/${readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a))[0]}/bin`
    : "/usr/lib/postgresql/15/bin");
const available = existsSync("/usr/bin/pgbackrest") && existsSync(`${PG_BIN}/initdb`);
const required = process.env.CI === "true" || process.env.REQUIRE_CLUSTER === "1";

describe("npm run backup:drill", () => {
  it.skipIf(!available && !required)("restores the server to a point in time with an intact audit chain", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/pitr-drill.ts"], {
      encoding: "utf8",
      env: { ...process.env, LOG_LEVEL: "warn" },
      timeout: 10 * 60_000,
    });
    console.log(r.stdout);
    if (r.status !== 0) console.error(r.stderr.split("\n").slice(-30).join("\n"));
    expect(r.status, "restore drill exit code").toBe(0);
    expect(r.stdout).toContain("restore drill passed");
  });
});
