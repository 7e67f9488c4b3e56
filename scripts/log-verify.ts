// npm run log:verify <proof file> [--content <opening.json>] [--key <verifier key>] [--origin <origin>]
// Checks a .tlog-proof offline: the checkpoint's signature by the log's key, the inclusion proof, and
// (with --content) that the filing's commitment opens to that content. Exit 0 when valid, 1 otherwise.
// Without --key/--origin it uses this installation's configuration (SUNSHINE_LOG_KEY/ORIGIN).
import { readFileSync } from "node:fs";
import { parseOpening } from "../domain/transparency/verify-input";
import { parseVerifierKey } from "../lib/tlog/note";
import { verifyProof } from "../lib/tlog/verify";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = args.find((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
if (!file) {
  console.error(
    "usage: npm run log:verify <proof file> [--content <opening.json>] [--key <verifier key>] [--origin <origin>]",
  );
  process.exit(2);
}

let key = opt("key");
let origin = opt("origin");
if (!key || !origin) {
  const { logOrigin, logVerifierKey } = await import("../domain/transparency/keys");
  key ??= logVerifierKey();
  origin ??= key ? (await parseVerifierKey(key)).name : logOrigin();
}
const contentFile = opt("content");
let opening: Exclude<ReturnType<typeof parseOpening>, { error: string }> | undefined;
if (contentFile) {
  const o = parseOpening(readFileSync(contentFile, "utf8"));
  if ("error" in o) {
    console.error(o.error);
    process.exit(1);
  }
  opening = o;
}
const result = await verifyProof(readFileSync(file, "utf8"), {
  origin,
  logKey: key,
  content: opening?.content,
  salt: opening?.salt,
});
for (const c of result.checks) console.log(`${c.ok ? "✓" : "✗"} ${c.message}`);
console.log(result.ok ? "证明有效。" : "证明无效。");
process.exit(result.ok ? 0 : 1);
