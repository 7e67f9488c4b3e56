import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The production shape under failure (scripts/cluster-test.ts): nginx + TLS, two nodes, a PostgreSQL
// primary and streaming replica, 50 clients, a node killed and a node rolled. It needs nginx and the
// PostgreSQL server binaries; CI installs both (.ci/run), so there it always runs.
// The newest PostgreSQL server installed (Debian: /usr/lib/postgresql/<major>/bin), unless PG_BIN says.
const PG_BIN =
  process.env.PG_BIN ??
  (existsSync("/usr/lib/postgresql")
    ? `/usr/lib/postgresql/${readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a))[0]}/bin`
    : "/usr/lib/postgresql/15/bin");
const available = existsSync("/usr/sbin/nginx") && existsSync(`${PG_BIN}/initdb`);
const required = process.env.CI === "true" || process.env.REQUIRE_CLUSTER === "1";

describe("npm run cluster:test", () => {
  it.skipIf(!available && !required)("loses nothing while a node is killed and another rolled", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/cluster-test.ts"], {
      encoding: "utf8",
      env: { ...process.env, LOG_LEVEL: "warn" },
      timeout: 15 * 60_000,
    });
    // The report (throughput, latency, errors) goes to the test output either way.
    console.log(r.stdout);
    if (r.status !== 0) console.error(r.stderr.split("\n").slice(-40).join("\n"));
    expect(r.status, "cluster test exit code").toBe(0);
    expect(r.stdout).toContain("cluster test passed: nothing lost");
  });
});
