import type { Db } from "../../db/client";
import { listYearbookYears } from "../../domain/archive/yearbook";
import { listPolicies } from "../../domain/policies/policies";
import { log } from "../../lib/log";
import { escapeXml } from "../../lib/xml";
import { searchSources } from "../../search/registry";

// The public pages for /sitemap.xml: the site's sections, then every public item that any content
// domain publishes (each registered search source knows its public documents and their pages).

const SECTIONS = [
  "/",
  "/funds",
  "/notices",
  "/report",
  "/stats",
  "/policies",
  "/archive",
  "/archive/photos",
  "/archive/photos/submit",
  "/honors",
];

export interface SitemapEntry {
  path: string;
  lastmod?: string;
}

export async function sitemapEntries(db: Db): Promise<SitemapEntry[]> {
  const entries = new Map<string, SitemapEntry>();
  const add = (path: string, lastmod?: string | null) => {
    const clean = path.split("#")[0];
    if (!clean.startsWith("/") || entries.has(clean)) return;
    entries.set(clean, { path: clean, lastmod: lastmod ?? undefined });
  };
  for (const s of SECTIONS) add(s);
  for (const p of await listPolicies(db)) add(`/policies/${p.slug}`, p.issuedOn);
  for (const y of await listYearbookYears(db)) add(`/archive/yearbook/${y.year}`);
  for (const [type, source] of Object.entries(searchSources)) {
    try {
      for (const doc of await source.load(db)) add(doc.url, doc.date);
    } catch (err) {
      // One broken source must not take the sitemap down.
      log.warn("sitemap source failed", { type, error: (err as Error).message });
    }
  }
  return [...entries.values()];
}

export function sitemapXml(origin: string, entries: SitemapEntry[]): string {
  const urls = entries
    .map(
      (e) =>
        `  <url><loc>${escapeXml(origin + e.path)}</loc>${e.lastmod && /^\d{4}-\d{2}-\d{2}$/.test(e.lastmod) ? `<lastmod>${e.lastmod}</lastmod>` : ""}</url>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls}\n</urlset>\n`;
}
