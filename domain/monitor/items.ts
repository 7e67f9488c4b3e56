import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { isRelevant, type MatchResult, matchText, type WatchList } from "./matching";
import type { FeedEntry } from "./parse-feeds";
import {
  candidateKeys,
  fromBigintText,
  hammingDistance,
  MAX_DISTANCE,
  type SimHash,
  simhash,
  toBigintText,
} from "./simhash";

// Recording what a fetch caught. An entry is identified within its source by the SHA-256 of its guid (or
// link), so fetching the same feed again adds nothing. A new relevant entry joins the near-duplicate
// group of the first-seen item within MAX_DISTANCE bits (looked up through the SimHash candidate keys, over
// the last GROUP_WINDOW_DAYS) and that head's spread grows by one; otherwise it heads a group of its own.
// Items of one source's batch are written together: ids drawn from the sequence first, so heads found
// within the batch are known before the one INSERT.

export const GROUP_WINDOW_DAYS = 30;
const EXCERPT_CHARS = 200;
const SNAPSHOT_CHARS = 20_000;

export interface CaughtEntry {
  entryKey: string;
  url: string;
  title: string;
  excerpt: string;
  snapshot: string;
  publishedAt: Date | null;
  match: MatchResult;
  hash: SimHash;
}

export const entryKey = (guid: string) => createHash("sha256").update(guid).digest("hex");

/** Entry keys of this source already on record (of those given). */
export async function knownEntryKeys(db: Db, sourceId: number, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const found = await rows<{ entry_key: string }>(
    db,
    sql`SELECT entry_key FROM monitor_items WHERE source_id = ${sourceId}
        AND entry_key IN (SELECT jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb))`,
  );
  return new Set(found.map((r) => r.entry_key));
}

/** Match entries against the watch-list (pure): the relevant ones, ready to record. */
export function catchEntries(list: WatchList, entries: FeedEntry[]): CaughtEntry[] {
  const out: CaughtEntry[] = [];
  for (const e of entries) {
    const match = matchText(list, `${e.title}\n${e.text}`);
    if (!isRelevant(match)) continue;
    const snapshot = `${e.title}\n\n${e.text}`.slice(0, SNAPSHOT_CHARS);
    out.push({
      entryKey: entryKey(e.guid),
      url: e.url.slice(0, 2000),
      title: e.title.slice(0, 300),
      excerpt: e.text.slice(0, EXCERPT_CHARS),
      snapshot,
      publishedAt: e.publishedAt,
      match,
      hash: simhash(match.words),
    });
  }
  return out;
}

/** Insert new caught entries of one source with their groups, in one transaction. Returns how many. */
export async function recordCaught(db: Db, sourceId: number, caught: CaughtEntry[], isDemo = false): Promise<number> {
  // The same guid twice in one document counts once.
  const unique = [...new Map(caught.map((c) => [c.entryKey, c])).values()];
  if (unique.length === 0) return 0;
  return db.transaction(async (tx) => {
    const known = await knownEntryKeys(
      tx,
      sourceId,
      unique.map((c) => c.entryKey),
    );
    const fresh = unique.filter((c) => !known.has(c.entryKey));
    if (fresh.length === 0) return 0;
    const ids = (
      await rows<{ id: string | number }>(
        tx,
        sql`SELECT nextval(pg_get_serial_sequence('monitor_items', 'id')) AS id FROM generate_series(1, ${fresh.length})`,
      )
    ).map((r) => Number(r.id));
    const b = fresh.map((c) => candidateKeys(c.hash));
    const allKeys = `{${[...new Set(b.flat())].join(",")}}`;
    const candidates = await rows<{ id: string | number; group_id: string | number; simhash: string }>(
      tx,
      sql`SELECT id, group_id, simhash::text AS simhash FROM monitor_items
          WHERE fetched_at > now() - make_interval(days => ${GROUP_WINDOW_DAYS})
            AND simkeys && ${allKeys}::int[]`,
    );
    const pool = candidates.map((c) => ({
      id: Number(c.id),
      group: Number(c.group_id),
      hash: fromBigintText(c.simhash),
    }));
    const records = fresh.map((c, i) => {
      let group = -1;
      for (const p of pool) {
        if ((group < 0 || p.group < group) && hammingDistance(c.hash, p.hash) <= MAX_DISTANCE) group = p.group;
      }
      const id = ids[i];
      pool.push({ id, group: group < 0 ? id : group, hash: c.hash });
      return { c, id, group: group < 0 ? id : group, b: b[i] };
    });
    // A head's spread: members from this batch go into its row as inserted (new heads) or are added to it.
    const batchHeads = new Set(records.filter((r) => r.group === r.id).map((r) => r.id));
    const spreadInBatch = new Map<number, number>();
    const spreadOfExisting = new Map<number, number>();
    for (const r of records) {
      if (r.group === r.id) continue;
      const counts = batchHeads.has(r.group) ? spreadInBatch : spreadOfExisting;
      counts.set(r.group, (counts.get(r.group) ?? 0) + 1);
    }
    const payload = records.map((r) => ({
      id: r.id,
      entry_key: r.c.entryKey,
      url: r.c.url,
      title: r.c.title,
      excerpt: r.c.excerpt,
      published_at: r.c.publishedAt?.toISOString() ?? null,
      snapshot: r.c.snapshot,
      terms: r.c.match.terms,
      places: r.c.match.places,
      district_id: r.c.match.districtId,
      simhash: toBigintText(r.c.hash),
      simkeys: r.b,
      group_id: r.group,
      is_head: r.group === r.id,
      spread: spreadInBatch.get(r.id) ?? 0,
    }));
    await tx.execute(sql`INSERT INTO monitor_items (id, source_id, entry_key, url, title, excerpt, published_at, snapshot,
        terms, places, district_id, simhash, simkeys, group_id, is_head, spread, last_spread_at, is_demo)
      SELECT x.id, ${sourceId}, x.entry_key, x.url, x.title, x.excerpt, x.published_at, x.snapshot,
        ARRAY(SELECT jsonb_array_elements_text(x.terms)), ARRAY(SELECT jsonb_array_elements_text(x.places)),
        x.district_id, x.simhash::bigint, ARRAY(SELECT jsonb_array_elements_text(x.simkeys)::int), x.group_id, x.is_head, x.spread,
        CASE WHEN x.spread > 0 THEN now() END, ${isDemo}
      FROM jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) AS x(id bigint, entry_key text, url text, title text,
        excerpt text, published_at timestamptz, snapshot text, terms jsonb, places jsonb, district_id integer,
        simhash text, simkeys jsonb, group_id bigint, is_head boolean,
        spread integer)
      ON CONFLICT (source_id, entry_key) DO NOTHING`);
    if (spreadOfExisting.size > 0) {
      const spreads = [...spreadOfExisting].map(([id, n]) => ({ id, n }));
      await tx.execute(sql`UPDATE monitor_items m SET spread = m.spread + x.n, last_spread_at = now()
        FROM jsonb_to_recordset(${JSON.stringify(spreads)}::jsonb) AS x(id bigint, n integer) WHERE m.id = x.id`);
    }
    return records.length;
  });
}
