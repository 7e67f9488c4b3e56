import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// One Chromium for a whole browser-test run: the global setup starts it, every test file connects to
// it over the DevTools protocol (harness.ts launchBrowser) with its own contexts, and closing a file's
// connection leaves the browser running for the next file. Connected this way (not as a remote
// Playwright server), downloads still land on this machine, so download.path() works.

export const CHROMIUM_PATH = "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export interface SharedChromium {
  /** The DevTools WebSocket address to pass to chromium.connectOverCDP. */
  endpoint: string;
  stop(): Promise<void>;
}

export async function startChromium(): Promise<SharedChromium> {
  const profile = mkdtempSync(path.join(tmpdir(), "sunshine-chromium-"));
  const child: ChildProcess = spawn(
    CHROMIUM_PATH,
    [...ARGS, "--remote-debugging-port=0", `--user-data-dir=${profile}`, "about:blank"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error("Chromium did not open its DevTools port in 60 s")), 60_000);
    child.stderr?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited with code ${code} before it listened:\n${seen}`));
    });
  });
  // Its later messages are of no use; keep the pipe drained.
  child.stderr?.resume();
  return {
    endpoint,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      // Chromium's helper processes may still write to the profile for a moment after the browser
      // exits (ENOTEMPTY): retry rather than fail the run's teardown.
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    },
  };
}
