import type { APIRoute } from "astro";
import { pageDb } from "../lib/read-db";
import { sitemapEntries, sitemapXml } from "../lib/sitemap";

/** Every public page, generated from the domain functions (no SQL here). */
export const GET: APIRoute = async ({ url, request }) => {
  const entries = await sitemapEntries(await pageDb({ request, url }));
  return new Response(sitemapXml(url.origin, entries), {
    headers: { "Content-Type": "application/xml; charset=utf-8", "Cache-Control": "public, max-age=3600" },
  });
};
