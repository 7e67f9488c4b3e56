// npm start: build the site if the build is missing or older than the sources, then serve it.
import { spawnSync } from "node:child_process";
import cluster from "node:cluster";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { register } from "tsx/esm/api";

const SOURCES = ["site", "docs", "api", "db", "domain", "lib", "search", "storage", "astro.config.mjs", "package.json"];

function newest(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((f) => newest(path.join(p, f))));
}

const entry = path.join(process.env.SUNSHINE_BUILD_DIR ?? "dist", "server/entry.mjs");
const built = existsSync(entry) ? statSync(entry).mtimeMs : 0;
// Server processes forked by serve.ts (cluster workers) run this file too: only the primary builds.
if (cluster.isPrimary && (built === 0 || Math.max(...SOURCES.map(newest)) > built)) {
  console.error(built === 0 ? "Building the site (first start)…" : "Sources changed since the last build: rebuilding…");
  const r = spawnSync(process.execPath, ["node_modules/astro/astro.js", "build"], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

register();
await import("./serve.ts");
