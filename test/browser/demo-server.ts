import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServerDatabase } from "../support/db";
import { freePort, stopChild, waitHealthy } from "../support/server";

export interface DemoServer {
  port: number;
  baseURL: string;
  child: ChildProcess;
  /** Stop the server and remove its data directory. */
  stop(): Promise<void>;
}

/**
 * The built server (SUNSHINE_BUILD_DIR) in production mode with fresh demo data, on a free port and a
 * data directory of its own, started by `node <args>` and answered /api/health. On the PostgreSQL
 * server (TEST_DATABASE_URL) it gets a fresh database named after TEST_DATABASE_URL's and `name`.
 */
export async function startDemoServer(
  name: string,
  args: string[],
  extra: Record<string, string>,
): Promise<DemoServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), `sunshine-${name}-`));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    SEED_DEMO: "true",
    NODE_ENV: "production",
    SUNSHINE_ENCRYPTION_KEY: "a".repeat(64),
    SUNSHINE_HMAC_KEY: "b".repeat(64),
    // A throwaway transparency-log key (production refuses to sign without one).
    SUNSHINE_LOG_KEY: "PRIVATE+KEY+zibo.sunshine.gov.cn/log+cafae934+Ab8SkxC8VWv6H0Zi0r/9bzD/uemCRO1zrmJRXKSJFsxs",
    ...extra,
  };
  delete env.DATABASE_URL;
  if (process.env.TEST_DATABASE_URL) {
    const base = process.env.TEST_DATABASE_URL;
    const baseName = new URL(base).pathname.slice(1) || "postgres";
    env.DATABASE_URL = await createServerDatabase(base, `${baseName}_${name}`);
  }
  const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ["ignore", "inherit", "inherit"] });
  const baseURL = `http://127.0.0.1:${port}`;
  await waitHealthy(baseURL, child, { what: `${name} server` });
  return {
    port,
    baseURL,
    child,
    async stop() {
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
