import { existsSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { CHROMIUM_PATH, startChromium } from "./chromium";
import { startDemoServer } from "./demo-server";

declare module "vitest" {
  export interface ProvidedContext {
    baseURL: string;
    chromiumEndpoint: string;
  }
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
  const server = await startDemoServer("browser", ["scripts/start.mjs"], {
    LOG_LEVEL: "warn",
    // Every browser test files from this machine: the per-client submission limits would otherwise
    // depend on how many tickets the suite files in an hour (the limits have their own API tests).
    RATE_LIMIT_EXEMPT: "127.0.0.0/8,::1",
    // The monitoring test's local feed server (test/support/feed-server.ts) listens on loopback.
    MONITOR_ALLOW_HOSTS: "127.0.0.1",
  });
  project.provide("baseURL", server.baseURL);
  const browser = await startChromium();
  project.provide("chromiumEndpoint", browser.endpoint);
  return async () => {
    await browser.stop();
    await server.stop();
  };
}
