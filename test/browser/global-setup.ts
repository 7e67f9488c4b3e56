import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { createServerDatabase } from "../support/db";
import { CHROMIUM_PATH, startChromium } from "./chromium";

declare module "vitest" {
  export interface ProvidedContext {
    baseURL: string;
    chromiumEndpoint: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/**
 * Start the real built server (npm start's entry) on a free port with fresh demo data, and the one
 * Chromium every test file connects to.
 */
export default async function setup(project: TestProject) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      "Browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium fonts-noto-cjk)",
    );
  }
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), "sunshine-browser-"));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    SEED_DEMO: "true",
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    SUNSHINE_ENCRYPTION_KEY: "a".repeat(64),
    SUNSHINE_HMAC_KEY: "b".repeat(64),
    // Every browser test files from this machine: the per-client submission limits would otherwise
    // depend on how many tickets the suite files in an hour (the limits have their own API tests).
    RATE_LIMIT_EXEMPT: "127.0.0.0/8,::1",
    // The monitoring test's local feed server (test/support/feed-server.ts) listens on loopback.
    MONITOR_ALLOW_HOSTS: "127.0.0.1",
    // A throwaway transparency-log key (production refuses to sign without one).
    SUNSHINE_LOG_KEY: "PRIVATE+KEY+zibo.sunshine.gov.cn/log+cafae934+Ab8SkxC8VWv6H0Zi0r/9bzD/uemCRO1zrmJRXKSJFsxs",
  };
  delete env.DATABASE_URL;
  if (process.env.TEST_DATABASE_URL) {
    const base = process.env.TEST_DATABASE_URL;
    const baseName = new URL(base).pathname.slice(1) || "postgres";
    env.DATABASE_URL = await createServerDatabase(base, `${baseName}_browser`);
  }
  const child: ChildProcess = spawn(process.execPath, ["scripts/start.mjs"], {
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  const baseURL = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${baseURL}/api/health`);
      if (res.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error("server did not become healthy in time");
    await new Promise((r) => setTimeout(r, 250));
  }
  project.provide("baseURL", baseURL);
  const browser = await startChromium();
  project.provide("chromiumEndpoint", browser.endpoint);
  return async () => {
    await browser.stop();
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    rmSync(dataDir, { recursive: true, force: true });
  };
}
