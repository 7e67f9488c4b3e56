import type { APIRoute } from "astro";
import { getDb } from "../../db/client";
import { sitemapEntries, sitemapXml } from "../lib/sitemap";

/** Every public page, generated from the domain functions (no SQL here). */
export const GET: APIRoute = async ({ url }) => {
  const entries = await sitemapEntries(await getDb());
  return new Response(sitemapXml(url.origin, entries), {
    headers: { "Content-Type": "application/xml; charset=utf-8", "Cache-Control": "public, max-age=3600" },
  });
};
