// npm run log:witness -- --key <file> --log <log verifier key> [--log <key> …] [--port 7380] [--host 127.0.0.1]
//                        [--state <file>]
// A C2SP tlog-witness: serves POST /add-checkpoint. For each log it follows (by its verifier key) it
// checks the checkpoint's signature, checks the checkpoint is consistent with the last one it cosigned
// (the log sends the consistency proof), records it, and answers with a tlog-cosignature/v1 line by its
// cosigner key (--key: a file holding a key from `npm run log:keygen <witness name> --cosigner`). The
// latest cosigned tree of each log is kept in --state (a JSON file, written before answering), so a
// restarted witness never cosigns a rolled-back or forked log. The log's operator lists the witness in
// SUNSHINE_LOG_WITNESSES as <witness verifier key>@<http://host:port>.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { parseVerifierKey } from "../lib/tlog/note";
import { parseSignerKey } from "../lib/tlog/signer";
import { Witness, type WitnessedTree } from "../lib/tlog/witness";

const args = process.argv.slice(2);
const all = (name: string) => args.flatMap((a, i) => (a === `--${name}` && args[i + 1] ? [args[i + 1]] : []));
const opt = (name: string) => all(name)[0];
const keyFile = opt("key");
if (!keyFile || all("log").length === 0) {
  console.error(
    "usage: npm run log:witness -- --key <cosigner key file> --log <log verifier key> [--port 7380] [--state <file>]",
  );
  process.exit(2);
}
const cosigner = parseSignerKey(readFileSync(keyFile, "utf8").trim());
const logs = await Promise.all(all("log").map((k) => parseVerifierKey(k)));
const stateFile = opt("state");
const trees: Record<string, WitnessedTree> = (() => {
  if (!stateFile) return {};
  try {
    return JSON.parse(readFileSync(stateFile, "utf8"));
  } catch {
    return {};
  }
})();
const witness = new Witness({
  logs,
  cosigner,
  store: {
    get: async (origin) => trees[origin] ?? null,
    set: async (origin, tree) => {
      trees[origin] = tree;
      if (stateFile) {
        writeFileSync(`${stateFile}.tmp`, JSON.stringify(trees));
        renameSync(`${stateFile}.tmp`, stateFile);
      }
    },
  },
});

const MAX_BODY = 64 * 1024;
const server = createServer((req, res) => {
  const reply = (status: number, body: string, type = "text/plain; charset=utf-8") => {
    res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
    res.end(body);
  };
  if (!req.url?.endsWith("/add-checkpoint")) return reply(404, "not found\n");
  if (req.method !== "POST") return reply(405, "POST only\n");
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (c: Buffer) => {
    size += c.length;
    if (size > MAX_BODY) {
      reply(413, "request too large\n");
      req.destroy();
    } else chunks.push(c);
  });
  req.on("end", async () => {
    if (size > MAX_BODY) return;
    try {
      const r = await witness.addCheckpoint(Buffer.concat(chunks).toString("utf8"));
      reply(r.status, r.body, r.contentType);
    } catch (err) {
      console.error(`add-checkpoint failed: ${(err as Error).message}`);
      reply(500, "witness error\n");
    }
  });
});
const host = opt("host") ?? "127.0.0.1";
server.listen(Number(opt("port") ?? 7380), host, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opt("port");
  console.log(`witness ${cosigner.vkey} listening on http://${host}:${port}`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.close(() => process.exit(0)));
