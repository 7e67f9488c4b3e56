import { defineConfig } from "vitest/config";

// Projects: pure unit tests; the DB-touching tests once on PGlite and, when TEST_DATABASE_URL is set
// (CI sets it), again on the PostgreSQL server; and browser tests against the real built server.
const dbTests = ["test/api/**/*.test.ts", "test/db/**/*.test.ts"];
const dbProject = (name: string, driver: "pglite" | "postgres") => ({
  test: {
    name,
    include: dbTests,
    setupFiles: ["test/support/setup-db.ts"],
    env: { TEST_DB: driver, LOG_LEVEL: "warn" },
    // One database per worker process, shared by its test files (PGlite costs ~5 s and ~900 MB to open).
    pool: "forks" as const,
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});

export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], env: { LOG_LEVEL: "warn" } } },
      dbProject("pglite", "pglite"),
      ...(process.env.TEST_DATABASE_URL ? [dbProject("postgres", "postgres")] : []),
      // nginx + two nodes + a PostgreSQL primary and replica, under load and failure (scripts/cluster-test.ts).
      {
        test: {
          name: "cluster",
          include: ["test/cluster/**/*.test.ts"],
          testTimeout: 16 * 60_000,
          // One private PostgreSQL cluster at a time next to everything else.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["test/browser/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 360_000,
          env: { LOG_LEVEL: "warn" },
        },
      },
    ],
  },
});
