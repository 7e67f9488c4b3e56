import { XMLParser } from "fast-xml-parser";
import { parse as parseHtml } from "node-html-parser";

// Turning a fetched document into entries: RSS 2.0, Atom, JSON Feed, or an HTML list page whose items a
// CSS selector picks. Everything comes out as plain text (markup stripped, entities decoded): the text is
// what is matched and kept as the snapshot, and it is only ever rendered escaped. Pure; a document that
// is not what its source says it is throws FeedParseError with a reason a person can act on.

export const SOURCE_KINDS = ["rss", "atom", "jsonfeed", "html"] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
export const SOURCE_KIND_LABELS: Record<SourceKind, string> = {
  rss: "RSS 2.0",
  atom: "Atom",
  jsonfeed: "JSON Feed",
  html: "网页列表（CSS 选择器）",
};

export interface FeedEntry {
  /** The entry's own id (guid, Atom id, JSON Feed id) or, failing that, its link. */
  guid: string;
  url: string;
  title: string;
  /** Plain text of the entry (summary or content). */
  text: string;
  publishedAt: Date | null;
}

export class FeedParseError extends Error {}

/** Most entries a document may yield (a page of thousands is cut, not refused). */
export const MAX_ENTRIES = 500;
const MAX_TEXT = 20_000;

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  textNodeName: "#text",
  processEntities: true,
  htmlEntities: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === "item" || name === "entry" || name === "link",
});

/** Markup → plain text: tags dropped, entities decoded, whitespace collapsed. */
export function htmlToText(html: string): string {
  if (!/[<&]/.test(html)) return collapse(html);
  const root = parseHtml(html, { blockTextElements: { script: false, style: false, noscript: false } });
  return collapse(root.textContent);
}

const collapse = (s: string) => s.replace(/\s+/g, " ").trim().slice(0, MAX_TEXT);

/** The text of a parsed XML node (string, number, or {#text, @_type …}). */
function nodeText(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string" || typeof v === "number") return String(v);
  if (Array.isArray(v)) return nodeText(v[0]);
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("#text" in o) return nodeText(o["#text"]);
  }
  return "";
}

function parseDate(v: unknown): Date | null {
  const s = nodeText(v).trim();
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

function absolute(href: string, base: string): string | null {
  try {
    const u = new URL(href.trim(), base);
    return u.protocol === "http:" || u.protocol === "https:" ? u.toString() : null;
  } catch {
    return null;
  }
}

function entry(e: Omit<FeedEntry, "title" | "text"> & { title: string; text: string }): FeedEntry | null {
  const title = collapse(e.title).slice(0, 300);
  const text = e.text;
  if (!e.url || (!title && !text)) return null;
  return { ...e, guid: e.guid.slice(0, 2000), title: title || text.slice(0, 60), text };
}

function parseXml(body: string) {
  try {
    return xml.parse(body, true) as Record<string, unknown>;
  } catch (err) {
    throw new FeedParseError(`XML 格式错误：${(err as Error).message.split("\n")[0].slice(0, 200)}`);
  }
}

export function parseRss(body: string, baseUrl: string): FeedEntry[] {
  const doc = parseXml(body);
  const rss = doc.rss as Record<string, unknown> | undefined;
  const channel = (rss?.channel ?? (doc["rdf:RDF"] as Record<string, unknown> | undefined)) as
    | Record<string, unknown>
    | undefined;
  if (!channel) throw new FeedParseError("不是 RSS 2.0 文档（缺少 <rss><channel>）");
  const items = (channel.item ?? (doc["rdf:RDF"] as Record<string, unknown> | undefined)?.item ?? []) as Record<
    string,
    unknown
  >[];
  const out: FeedEntry[] = [];
  for (const it of items.slice(0, MAX_ENTRIES)) {
    const url = absolute(nodeText(it.link), baseUrl) ?? "";
    const body = nodeText(it["content:encoded"]) || nodeText(it.description);
    const e = entry({
      guid: nodeText(it.guid) || url,
      url,
      title: htmlToText(nodeText(it.title)),
      text: htmlToText(body),
      publishedAt: parseDate(it.pubDate ?? it["dc:date"]),
    });
    if (e) out.push(e);
  }
  return out;
}

export function parseAtom(body: string, baseUrl: string): FeedEntry[] {
  const doc = parseXml(body);
  const feed = doc.feed as Record<string, unknown> | undefined;
  if (!feed) throw new FeedParseError("不是 Atom 文档（缺少 <feed>）");
  const entries = (feed.entry ?? []) as Record<string, unknown>[];
  const out: FeedEntry[] = [];
  for (const it of entries.slice(0, MAX_ENTRIES)) {
    const links = (it.link ?? []) as Record<string, unknown>[];
    const alt = links.find((l) => !l["@_rel"] || l["@_rel"] === "alternate") ?? links[0];
    const url = absolute(String(alt?.["@_href"] ?? ""), baseUrl) ?? "";
    const e = entry({
      guid: nodeText(it.id) || url,
      url,
      title: htmlToText(nodeText(it.title)),
      text: htmlToText(nodeText(it.content) || nodeText(it.summary)),
      publishedAt: parseDate(it.published ?? it.updated),
    });
    if (e) out.push(e);
  }
  return out;
}

export function parseJsonFeed(body: string, baseUrl: string): FeedEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    throw new FeedParseError(`JSON 格式错误：${(err as Error).message.slice(0, 200)}`);
  }
  const d = doc as { version?: unknown; items?: unknown };
  if (!d || typeof d !== "object" || typeof d.version !== "string" || !d.version.includes("jsonfeed.org")) {
    throw new FeedParseError("不是 JSON Feed 文档（缺少 version: https://jsonfeed.org/version/1.x）");
  }
  if (!Array.isArray(d.items)) throw new FeedParseError("JSON Feed 缺少 items 数组");
  const out: FeedEntry[] = [];
  for (const raw of d.items.slice(0, MAX_ENTRIES)) {
    if (!raw || typeof raw !== "object") continue;
    const it = raw as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === "string" ? v : "");
    const url = absolute(str(it.url) || str(it.external_url), baseUrl) ?? "";
    const e = entry({
      guid: str(it.id) || (typeof it.id === "number" ? String(it.id) : "") || url,
      url,
      title: htmlToText(str(it.title)),
      text: str(it.content_text) ? collapse(str(it.content_text)) : htmlToText(str(it.content_html) || str(it.summary)),
      publishedAt: parseDate(it.date_published ?? it.date_modified),
    });
    if (e) out.push(e);
  }
  return out;
}

const DATE_IN_TEXT = /((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})日?/;

export function parseHtmlList(body: string, baseUrl: string, selector: string): FeedEntry[] {
  const root = parseHtml(body, { blockTextElements: { script: false, style: false, noscript: false } });
  let nodes: ReturnType<typeof root.querySelectorAll>;
  try {
    nodes = root.querySelectorAll(selector);
  } catch (err) {
    throw new FeedParseError(`CSS 选择器无效：${(err as Error).message.slice(0, 200)}`);
  }
  if (nodes.length === 0) throw new FeedParseError(`页面中没有与选择器“${selector}”匹配的条目`);
  const out: FeedEntry[] = [];
  for (const node of nodes.slice(0, MAX_ENTRIES)) {
    const a = node.tagName === "A" ? node : node.querySelector("a[href]");
    const url = a ? (absolute(a.getAttribute("href") ?? "", baseUrl) ?? "") : "";
    const text = collapse(node.textContent);
    const time = node.querySelector("time[datetime]")?.getAttribute("datetime");
    let publishedAt = time ? parseDate(time) : null;
    if (!publishedAt) {
      const m = text.match(DATE_IN_TEXT);
      if (m) publishedAt = parseDate(`${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}T00:00:00+08:00`);
    }
    const e = entry({ guid: url, url, title: a ? collapse(a.textContent) : text.slice(0, 60), text, publishedAt });
    if (e) out.push(e);
  }
  return out;
}

/** Entries of a document of the given kind. */
export function parseEntries(kind: SourceKind, body: string, baseUrl: string, selector?: string | null): FeedEntry[] {
  switch (kind) {
    case "rss":
      return parseRss(body, baseUrl);
    case "atom":
      return parseAtom(body, baseUrl);
    case "jsonfeed":
      return parseJsonFeed(body, baseUrl);
    case "html":
      if (!selector) throw new FeedParseError("网页列表来源须设置条目的 CSS 选择器");
      return parseHtmlList(body, baseUrl, selector);
  }
}
