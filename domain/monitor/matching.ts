import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { normalize, segmentForIndex } from "../../search/text";

// The watch-list and matching. An item concerns the campaign when its text names a place of Zibo (the
// reference data's districts, towns and villages, or the city itself) AND a campaign term (扶贫, 低保,
// 截留 …, editable in the console). Matching is on words, not characters: the text is segmented with
// the search module's jieba segmenter, so 高青 matches in 高青县 but not inside 提高青年, and 低保 matches
// as a word. A term jieba cuts into several words (优亲厚友 → 优亲 厚友) matches when the text contains
// it and every one of its words.

export interface WatchPlace {
  /** The canonical name shown and stored (高青县, 常家镇, 淄博市). */
  name: string;
  /** District the place lies in; null for the city as a whole. */
  districtId: number | null;
}

export interface WatchList {
  /** Surface form (as segmented) → place. Short forms (高青 → 高青县) point at the full name. */
  places: Map<string, WatchPlace>;
  /** Campaign terms: each with the words it must be made of. */
  terms: { term: string; words: string[] }[];
}

export interface MatchResult {
  terms: string[];
  places: string[];
  districtId: number | null;
  /** The text's words (reused for the SimHash). */
  words: string[];
}

const CITY: WatchPlace = { name: "淄博市", districtId: null };

/** Build the watch-list from place rows and campaign terms (pure). */
export function buildWatchList(
  placeRows: { name: string; kind: "district" | "town" | "village"; districtId: number }[],
  terms: string[],
): WatchList {
  const places = new Map<string, WatchPlace>();
  const add = (surface: string, place: WatchPlace) => {
    const key = normalize(surface);
    if (key.length >= 2 && !places.has(key)) places.set(key, place);
  };
  add("淄博市", CITY);
  add("淄博", CITY);
  // Districts first, then towns, then villages: a short form never shadows a larger place's own name.
  const order = { district: 0, town: 1, village: 2 } as const;
  const sorted = [...placeRows].sort((a, b) => order[a.kind] - order[b.kind]);
  for (const p of sorted) add(p.name, { name: p.name, districtId: p.districtId });
  for (const p of sorted) {
    const place = { name: p.name, districtId: p.districtId };
    if (p.kind === "district" && /^[\u4e00-\u9fff]{2}[区县]$/.test(p.name)) add(p.name.slice(0, 2), place);
    if (p.kind === "town" && p.name.length >= 3) add(p.name.replace(/(镇|街道|乡)$/, ""), place);
  }
  const seen = new Set<string>();
  const termList: WatchList["terms"] = [];
  for (const raw of terms) {
    const term = normalize(raw.trim());
    if (!term || seen.has(term)) continue;
    seen.add(term);
    const words = segmentForIndex(term);
    termList.push({ term, words: words.includes(term) ? [term] : words });
  }
  return { places, terms: termList };
}

/** Match a text against the watch-list (pure). Relevant when both `terms` and `places` are non-empty. */
export function matchText(list: WatchList, text: string): MatchResult {
  const norm = normalize(text);
  const words = segmentForIndex(norm);
  const wordSet = new Set(words);
  const terms: string[] = [];
  for (const t of list.terms) {
    if (t.words.length === 1 ? wordSet.has(t.term) : norm.includes(t.term) && t.words.every((w) => wordSet.has(w)))
      terms.push(t.term);
  }
  const places: string[] = [];
  let districtId: number | null = null;
  for (const w of words) {
    const p = list.places.get(w);
    if (!p || places.includes(p.name)) continue;
    places.push(p.name);
    districtId ??= p.districtId;
  }
  return { terms, places, districtId, words };
}

export const isRelevant = (m: MatchResult) => m.terms.length > 0 && m.places.length > 0;

/** The watch-list from the database: every place of the reference data and the enabled campaign terms. */
export async function loadWatchList(db: Db): Promise<WatchList> {
  const placeRows = await rows<{ name: string; kind: "district" | "town" | "village"; district_id: number }>(
    db,
    sql`SELECT name, 'district' AS kind, id AS district_id FROM districts
        UNION ALL SELECT t.name, 'town', t.district_id FROM towns t
        UNION ALL SELECT v.name, 'village', t.district_id FROM villages v JOIN towns t ON t.id = v.town_id`,
  );
  const termRows = await rows<{ term: string }>(db, sql`SELECT term FROM monitor_terms WHERE enabled ORDER BY id`);
  return buildWatchList(
    placeRows.map((r) => ({ name: r.name, kind: r.kind, districtId: Number(r.district_id) })),
    termRows.map((r) => r.term),
  );
}
