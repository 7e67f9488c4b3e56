import type { APIRoute } from "astro";
import { moneyChanges } from "../../../domain/money/feed";
import { escapeXml } from "../../../lib/xml";
import { pageDb } from "../../lib/read-db";

// Atom feed of the money trail's changes: new and corrected allocations, disbursements and
// household-payment batches (50 newest). ETag / If-None-Match answers 304 when nothing changed.

export const GET: APIRoute = async ({ url, request }) => {
  const db = await pageDb({ request, url });
  const changes = await moneyChanges(db, { limit: 50 });
  const origin = url.origin;
  const updated = changes[0]?.at ?? "2018-01-01T00:00:00.000Z";
  const etag = `W/"money-${changes.length}-${updated}-${changes[0]?.key ?? ""}"`;
  const headers = {
    "content-type": "application/atom+xml; charset=utf-8",
    "cache-control": "max-age=300",
    etag,
    "last-modified": new Date(updated).toUTCString(),
  };
  if (request.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
  const self = `${origin}/feeds/money.xml`;
  const entries = changes
    .map(
      (c) => `  <entry>
    <id>${escapeXml(`${self}#${c.key}`)}</id>
    <title>${escapeXml(c.title)}</title>
    <link rel="alternate" type="text/html" href="${escapeXml(origin + c.path)}"/>
    <updated>${c.at}</updated>
    <category term="${c.kind}"/>
    <summary>${escapeXml(c.summary)}</summary>
  </entry>`,
    )
    .join("\n");
  const body = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">
  <id>${escapeXml(self)}</id>
  <title>阳光扶贫：资金分配、拨付和到户发放的变化</title>
  <link rel="self" type="application/atom+xml" href="${escapeXml(self)}"/>
  <link rel="alternate" type="text/html" href="${origin}/funds"/>
  <updated>${updated}</updated>
  <author><name>淄博市扶贫开发领导小组办公室</name></author>
${entries}
</feed>
`;
  return new Response(body, { headers });
};
