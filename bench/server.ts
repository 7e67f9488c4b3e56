import { type ChildProcess, spawn } from "node:child_process";
import { freePort, waitHealthy } from "../test/support/server";

/**
 * The real server (scripts/serve.ts, serving the build) in production mode on `dbUrl`, one process
 * (started through `node -e`, it has no script for cluster workers to run), without demo data or
 * background sweeps, on a free port; returns its base URL and process once /api/health answers
 * (killed, and an error, if it has not within `timeoutMs`).
 */
export async function startBenchServer(
  dbUrl: string,
  extraEnv: Record<string, string>,
  timeoutMs: number,
): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      "const m = await import('tsx/esm/api'); m.register(); await import('./scripts/serve.ts');",
    ],
    {
      env: {
        ...process.env,
        DATABASE_URL: dbUrl,
        PORT: String(port),
        HOST: "127.0.0.1",
        NODE_ENV: "production",
        SEED_DEMO: "false",
        LOG_LEVEL: "warn",
        SWEEP_INTERVAL_SECONDS: "0",
        WEB_CONCURRENCY: "1",
        ...extraEnv,
      },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(base, child, { what: "server", timeoutMs, everyMs: 500 });
  } catch (err) {
    child.kill();
    throw err;
  }
  return { base, child };
}
