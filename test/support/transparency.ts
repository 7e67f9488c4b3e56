import { app } from "../../api/app";
import { logApp } from "../../api/log/app";
import { logVerifierKey } from "../../domain/transparency/keys";
import { PublishedIndex } from "../../domain/transparency/published-records";
import { checkLatest, newMonitorState, parseVerifierKey } from "../../lib/tlog/monitor";

// The transparency log read from outside, as a monitor does, in process.

/** GET a path of the log (/log/…) as a monitor's fetch: status and bytes. */
export async function fetchLog(url: string) {
  const res = await logApp.request(url);
  return { status: res.status, body: new Uint8Array(await res.arrayBuffer()) };
}

/** GET a path of the public API as the published-record checks fetch it: status and JSON. */
export async function fetchJson(path: string) {
  const res = await app.request(path);
  return { status: res.status, json: await res.json() };
}

/** The whole log as a new monitor reads it (checkpoint, tiles, every entry), its records indexed. */
export async function readLoggedRecords(): Promise<PublishedIndex> {
  const key = await parseVerifierKey(logVerifierKey());
  const index = new PublishedIndex();
  await checkLatest(newMonitorState(), {
    base: "/log",
    key,
    fetch: fetchLog,
    entries: true,
    onEntry: (_, e) => index.add(e),
  });
  return index;
}
