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
// within the batch are known before the one INSERT; a head's spread is recounted from its members.

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

/**
 * The items recorded during one fetch round, in memory: sources are recorded side by side, and an item
 * caught a moment ago by another source (not yet visible in the database to this one) must still be
 * found as its near-duplicate. Assigning groups and registering the new items happens without an await
 * in between, so two sources never both miss each other. Heads whose groups grew are remembered, and
 * their spread is recounted from the rows at the end (refreshSpread).
 */
export class RoundPool {
  readonly items: { id: number; group: number; hash: SimHash; keys: Set<number> }[] = [];
  readonly touchedHeads = new Set<number>();
}

/** Insert new caught entries of one source with their groups. Returns how many were new. */
export async function recordCaught(
  db: Db,
  sourceId: number,
  caught: CaughtEntry[],
  isDemo = false,
  round?: RoundPool,
): Promise<number> {
  // The same guid twice in one document counts once.
  const unique = [...new Map(caught.map((c) => [c.entryKey, c])).values()];
  if (unique.length === 0) return 0;
  const pool = round ?? new RoundPool();
  const keysOf = unique.map((c) => candidateKeys(c.hash));
  const allKeys = `{${[...new Set(keysOf.flat())].join(",")}}`;
  // One round trip: which entries are already on record, ids for the rest, and earlier near-duplicate
  // candidates (sharing a candidate key, caught within the window).
  const answer = await rows<{
    kind: string;
    id: string | number | null;
    group_id: string | number | null;
    v: string | null;
  }>(
    db,
    sql`SELECT 'known' AS kind, NULL::bigint AS id, NULL::bigint AS group_id, entry_key AS v FROM monitor_items
          WHERE source_id = ${sourceId} AND entry_key IN (SELECT jsonb_array_elements_text(${JSON.stringify(unique.map((c) => c.entryKey))}::jsonb))
        UNION ALL
        SELECT 'id', nextval(pg_get_serial_sequence('monitor_items', 'id')), NULL, NULL FROM generate_series(1, ${unique.length})
        UNION ALL
        SELECT 'candidate', id, group_id, simhash::text FROM monitor_items
          WHERE fetched_at > now() - make_interval(days => ${GROUP_WINDOW_DAYS}) AND simkeys && ${allKeys}::int[]`,
  );
  const known = new Set(answer.filter((r) => r.kind === "known").map((r) => String(r.v)));
  const ids = answer.filter((r) => r.kind === "id").map((r) => Number(r.id));
  const candidates = answer
    .filter((r) => r.kind === "candidate")
    .map((r) => ({ id: Number(r.id), group: Number(r.group_id), hash: fromBigintText(String(r.v)) }));
  // From here to the pool registration: no await (see RoundPool).
  const fresh = unique.map((c, i) => ({ c, keys: keysOf[i] })).filter((x) => !known.has(x.c.entryKey));
  if (fresh.length === 0) return 0;
  const records = fresh.map(({ c, keys }, i) => {
    let group = -1;
    const consider = (p: { group: number; hash: SimHash }) => {
      if ((group < 0 || p.group < group) && hammingDistance(c.hash, p.hash) <= MAX_DISTANCE) group = p.group;
    };
    for (const p of candidates) consider(p);
    for (const p of pool.items) if (keys.some((k) => p.keys.has(k))) consider(p);
    const id = ids[i];
    if (group < 0) group = id;
    else pool.touchedHeads.add(group);
    pool.items.push({ id, group, hash: c.hash, keys: new Set(keys) });
    return { c, id, group, keys };
  });
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
    simkeys: r.keys,
    group_id: r.group,
    is_head: r.group === r.id,
  }));
  const inserted = await rows<{ id: string | number }>(
    db,
    sql`INSERT INTO monitor_items (id, source_id, entry_key, url, title, excerpt, published_at, snapshot,
        terms, places, district_id, simhash, simkeys, group_id, is_head, is_demo)
      SELECT x.id, ${sourceId}, x.entry_key, x.url, x.title, x.excerpt, x.published_at, x.snapshot,
        ARRAY(SELECT jsonb_array_elements_text(x.terms)), ARRAY(SELECT jsonb_array_elements_text(x.places)),
        x.district_id, x.simhash::bigint, ARRAY(SELECT jsonb_array_elements_text(x.simkeys)::int), x.group_id, x.is_head, ${isDemo}
      FROM jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) AS x(id bigint, entry_key text, url text, title text,
        excerpt text, published_at timestamptz, snapshot text, terms jsonb, places jsonb, district_id integer,
        simhash text, simkeys jsonb, group_id bigint, is_head boolean)
      ON CONFLICT (source_id, entry_key) DO NOTHING RETURNING id`,
  );
  if (!round) await refreshSpread(db, pool);
  return inserted.length;
}

/** Recount the spread (members other than the head) of the heads whose groups grew. */
export async function refreshSpread(db: Db, pool: RoundPool) {
  if (pool.touchedHeads.size === 0) return;
  const heads = `{${[...pool.touchedHeads].join(",")}}`;
  await db.execute(sql`UPDATE monitor_items h SET spread = c.n, last_spread_at = now()
    FROM (SELECT group_id, (count(*) - 1)::int AS n FROM monitor_items WHERE group_id = ANY(${heads}::bigint[]) GROUP BY group_id) c
    WHERE h.id = c.group_id AND h.spread <> c.n`);
  pool.touchedHeads.clear();
}
