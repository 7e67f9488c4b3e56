// npm run log:monitor <base-url> [--key <verifier key>] [--interval <seconds>] [--once] [--entries]
//                                 [--records]
// Watches a Sunshine transparency log (or any C2SP tlog-tiles log): every checkpoint must be signed by
// the key, every tile must hash up to the signed root, and every new checkpoint must be consistent with
// the last one seen. With --entries every entry is checked against its leaf. Exits non-zero at the first
// inconsistency. With --records (implies --entries) it also re-derives every published fund allocation
// and notice version from the public API (GET /api/funds/{id}, /api/notices/{id}) and checks each is in
// the log with the same hash. A witness that cosigns checkpoints is `npm run log:witness`
// (docs/transparency-log.md#witnesses).
import { checkPublishedFunds, checkPublishedNotices, PublishedIndex } from "../domain/transparency/published-records";
import { checkLatest, MonitorError, newMonitorState, parseVerifierKey } from "../lib/tlog/monitor";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const base = args[0];
if (!base || base.startsWith("--")) {
  console.error(
    "usage: npm run log:monitor <base-url> [--key <vkey>] [--interval <s>] [--once] [--entries] [--records]",
  );
  process.exit(2);
}
const prefix = `${base.replace(/\/$/, "")}/log`;
const fetcher = async (url: string) => {
  const r = await fetch(url);
  return { status: r.status, body: new Uint8Array(await r.arrayBuffer()) };
};
// The key should come from somewhere other than the log itself (a newspaper, a gazette); fetching it
// from /log/key trusts the log on first use.
let vkey = opt("key");
if (!vkey) {
  const r = await fetcher(`${prefix}/key`);
  if (r.status !== 200) {
    console.error(`cannot read ${prefix}/key: HTTP ${r.status}`);
    process.exit(1);
  }
  vkey = new TextDecoder().decode(r.body).trim();
  console.log(`key (from the log itself, trusted on first use): ${vkey}`);
}
const key = await parseVerifierKey(vkey);
const interval = Number(opt("interval") ?? 10);
const state = newMonitorState();
const records = args.includes("--records");
const index = new PublishedIndex();
const origin = base.replace(/\/$/, "");
const fetchJson = async (path: string) => {
  const r = await fetch(`${origin}${path}`);
  return { status: r.status, json: r.status === 200 ? await r.json() : null };
};

for (;;) {
  const started = Date.now();
  try {
    const before = state.checkpoint?.size;
    const cp = await checkLatest(state, {
      base: prefix,
      key,
      fetch: fetcher,
      entries: records || args.includes("--entries"),
      onEntry: (_, e) => index.add(e),
    });
    const ms = Date.now() - started;
    console.log(
      before === undefined
        ? `checkpoint ${cp.size}: signature, tiles and root verified (${ms} ms)`
        : `checkpoint ${cp.size}: consistent with ${before} (${ms} ms)`,
    );
    if (records) {
      for (const [label, check] of [
        ["fund allocation", checkPublishedFunds],
        ["notice", checkPublishedNotices],
      ] as const) {
        const r = await check(fetchJson, index);
        if (r.problems.length > 0) throw new MonitorError(r.problems.join("; "));
        console.log(`published ${label} versions: ${r.checked} checked, all in the log`);
      }
    }
  } catch (err) {
    const message = err instanceof MonitorError ? err.message : `cannot check the log: ${(err as Error).message}`;
    console.error(`INCONSISTENT: ${message}`);
    process.exit(1);
  }
  if (args.includes("--once")) break;
  await new Promise((r) => setTimeout(r, interval * 1000));
}
