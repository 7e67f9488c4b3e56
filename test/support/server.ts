import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";

// Starting a real server process and waiting for it, for the browser tests and the benchmarks.

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
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
 * Wait until `baseURL`/api/health answers 200. Throws as soon as `child` exits, or once `timeoutMs`
 * has passed (`what` names the server in both messages).
 */
export async function waitHealthy(
  baseURL: string,
  child: ChildProcess,
  opts: { what?: string; timeoutMs?: number; everyMs?: number } = {},
) {
  const what = opts.what ?? "server";
  const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${baseURL}/api/health`)).ok) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${what} did not become healthy in time`);
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 250));
  }
}

/** Stop a child process with SIGTERM and wait for it to exit. */
export async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
}
