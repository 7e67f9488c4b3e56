// Start-up benchmark: time from process spawn to the first answered /api/health on the embedded
// database, first start (new data dir: create, migrate, seed) and second start (data dir exists),
// with the process's peak RSS (VmHWM). Run: npx tsx bench/startup.ts  (after npm run build)
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const buildDir = process.env.SUNSHINE_BUILD_DIR ?? "dist";
if (!existsSync(path.join(buildDir, "server/entry.mjs"))) {
  console.error("build first: npm run build");
  process.exit(1);
}

async function startOnce(dataDir: string, port: number) {
  const started = performance.now();
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: "warn", DATABASE_URL: "" },
    stdio: "ignore",
  });
  let ms = 0;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.ok) {
        ms = performance.now() - started;
        break;
      }
    } catch {}
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await fetch(`http://127.0.0.1:${port}/`); // one page render too
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const peakMb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  return { ms, peakMb };
}

const dir = mkdtempSync(path.join(tmpdir(), "sunshine-startup-"));
try {
  const first = await startOnce(dir, 4391);
  console.log(
    `first start (new data dir): ${(first.ms / 1000).toFixed(2)} s to first answer, peak RSS ${first.peakMb.toFixed(0)} MB`,
  );
  for (let i = 0; i < 3; i++) {
    const again = await startOnce(dir, 4391);
    console.log(
      `restart #${i + 1} (data dir exists): ${(again.ms / 1000).toFixed(2)} s to first answer, peak RSS ${again.peakMb.toFixed(0)} MB`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
