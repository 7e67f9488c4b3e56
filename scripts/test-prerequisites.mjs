// Runs before `npm test` (the pretest script): the browser tests need Debian's Chromium at
// /usr/bin/chromium and CJK fonts (without them every Chinese glyph renders as a box and screenshots
// are useless); the transparency log's interop test needs Go and Go's golang.org/x/mod (sumdb/note,
// sumdb/tlog). On a fresh Debian machine, as root, install them; otherwise print the exact command.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const PACKAGES = ["chromium", "fonts-noto-cjk", "golang-go", "golang-golang-x-mod-dev"];

function installed(pkg) {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax, not JavaScript
  const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" });
  return r.status === 0 && r.stdout.includes("install ok installed");
}

/** The packages still needed; Chromium counts as present when the binary is, however it got there. */
export function missingPackages({ hasDpkg, isInstalled, chromiumPresent }) {
  return PACKAGES.filter((pkg) => {
    if (pkg === "chromium" && chromiumPresent) return false;
    if (!hasDpkg) return pkg === "chromium";
    return !isInstalled(pkg);
  });
}

function main() {
  if (process.platform !== "linux") return 0;
  const hasDpkg = spawnSync("dpkg-query", ["--version"]).status === 0;
  const missing = missingPackages({
    hasDpkg,
    isInstalled: installed,
    chromiumPresent: existsSync("/usr/bin/chromium"),
  });
  if (missing.length === 0) return 0;

  const command = `apt-get install -y ${missing.join(" ")}`;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const hasApt = spawnSync("apt-get", ["--version"]).status === 0;
  if (isRoot && hasApt) {
    console.error(
      `npm test: the tests need ${missing.join(" and ")}; installing as root: apt-get update && ${command}`,
    );
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    for (const args of [
      ["update", "-qq"],
      ["install", "-y", "-qq", ...missing],
    ]) {
      // dpkg's progress goes to stdout; errors still show on stderr.
      const r = spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env });
      if (r.status !== 0) {
        console.error(
          `npm test: apt-get ${args.join(" ")} failed (exit ${r.status}); install ${missing.join(" ")} and run npm test again.`,
        );
        return 1;
      }
    }
    console.error(`npm test: installed ${missing.join(" ")}.`);
    return 0;
  }
  console.error(
    [
      `npm test: the tests need ${missing.join(" and ")}, which are not installed. Run:`,
      "",
      `  sudo apt-get update && sudo ${command}`,
      "",
      "then run npm test again.",
    ].join("\n"),
  );
  return 1;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(main());
