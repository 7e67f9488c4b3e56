import { canonicalJson } from "../../lib/canonical-json";
import { toHex, utf8 } from "../../lib/tlog/bytes";
import { decodeEntry } from "../../lib/tlog/leaf-format";
import { sha256 } from "../../lib/tlog/merkle";
import { FUND_VERSION_ENTRY, NOTICE_VERSION_ENTRY } from "./entries";

// Re-deriving published records' log entries from the public API, as a monitor does: every version of
// every fund allocation on GET /api/funds/{id} and of every notice on GET /api/notices/{id} must be in
// the log with the SHA-256 of its canonical (JCS) JSON. Works over HTTP only, so anyone can run it
// against a public site.

export type JsonFetcher = (path: string) => Promise<{ status: number; json: unknown }>;

/** Collects, from log entries, the published-version hashes by "<type>:<id>:<version>". */
export class PublishedIndex {
  readonly hashes = new Map<string, string>();
  add(entry: Uint8Array) {
    const e = decodeEntry(entry);
    if (e && "sha256" in e && typeof e.id === "string") this.hashes.set(`${e.type}:${e.id}:${e.version}`, e.sha256);
  }
}

export interface RecordsReport {
  checked: number;
  problems: string[];
}

/** Check every version a list API's records show against the log's entries. */
async function checkPublished(
  fetchJson: JsonFetcher,
  index: PublishedIndex,
  o: { list: string; pageSize: number; detail: (id: number) => string; type: string; label: string },
): Promise<RecordsReport> {
  const problems: string[] = [];
  let checked = 0;
  for (let page = 1; ; page++) {
    const list = await fetchJson(`${o.list}?pageSize=${o.pageSize}&page=${page}`);
    if (list.status !== 200) throw new Error(`${o.list}: HTTP ${list.status}`);
    const items = (list.json as { items: { id: number }[] }).items;
    for (const item of items) {
      const detail = await fetchJson(o.detail(item.id));
      if (detail.status !== 200) throw new Error(`${o.detail(item.id)}: HTTP ${detail.status}`);
      for (const v of (detail.json as { versions: { version: number }[] }).versions) {
        checked++;
        const logged = index.hashes.get(`${o.type}:${item.id}:${v.version}`);
        const hash = toHex(sha256(utf8(canonicalJson(v))));
        if (!logged) problems.push(`${o.label} ${item.id} version ${v.version} is published but not in the log`);
        else if (logged !== hash)
          problems.push(`${o.label} ${item.id} version ${v.version} differs from what was logged`);
      }
    }
    if (items.length < o.pageSize) break;
  }
  return { checked, problems };
}

/** Check every fund allocation version the public API lists against the log's entries. */
export const checkPublishedFunds = (fetchJson: JsonFetcher, index: PublishedIndex) =>
  checkPublished(fetchJson, index, {
    list: "/api/funds",
    pageSize: 200,
    detail: (id) => `/api/funds/${id}`,
    type: FUND_VERSION_ENTRY,
    label: "fund",
  });

/** Check every published notice version (publication, amendment, withdrawal) against the log's entries. */
export const checkPublishedNotices = (fetchJson: JsonFetcher, index: PublishedIndex) =>
  checkPublished(fetchJson, index, {
    list: "/api/notices",
    pageSize: 100,
    detail: (id) => `/api/notices/${id}`,
    type: NOTICE_VERSION_ENTRY,
    label: "notice",
  });
