import type { APIRoute } from "astro";
import { getNotice, listNotices } from "../../../domain/notices/notices";
import { AppError } from "../../../lib/errors";
import { escapeXml } from "../../../lib/xml";
import { pageDb } from "../../lib/read-db";

// Atom feed of published notices (newest first), optionally for one district: /feeds/notices.xml?district=高青县

const EPOCH = "2018-01-01T00:00:00+08:00";

export const GET: APIRoute = async ({ url, request }) => {
  const db = await pageDb({ request, url });
  const district = url.searchParams.get("district") || undefined;
  let list: Awaited<ReturnType<typeof listNotices>>;
  try {
    list = await listNotices(db, { district }, { page: 1, pageSize: 50 });
  } catch (err) {
    if (err instanceof AppError && err.status === 400) {
      return new Response(JSON.stringify({ error: { code: err.code, message: err.message } }), {
        status: 400,
        headers: { "content-type": "application/json; charset=utf-8" },
      });
    }
    throw err;
  }
  const origin = url.origin;
  const details = await Promise.all(list.items.map((n) => getNotice(db, n.id)));
  // An entry is updated when its notice changes publicly: amended (a later notice replaces it) or
  // withdrawn; the feed when any entry is. Times are Beijing time, so they sort as text.
  const iso = (local: string | null) => (local ? `${local.replace(" ", "T")}:00+08:00` : EPOCH);
  const updated = iso(
    details
      .map((n) => n.changedAt ?? "")
      .sort()
      .at(-1) || null,
  );
  const self = `${origin}/feeds/notices.xml${district ? `?district=${encodeURIComponent(district)}` : ""}`;
  const entries = details
    .map((n) => {
      const summary = [
        `${n.stateLabel}；公示期 ${n.periodStart} 至 ${n.periodEnd}`,
        [n.district, n.town, n.village].filter(Boolean).join(" "),
        n.fields.content,
        n.fields.funding,
        n.withdrawReason ? `撤回原因：${n.withdrawReason}` : "",
        n.amendReason ? `更正原因：${n.amendReason}` : "",
      ]
        .filter(Boolean)
        .join("。");
      return `  <entry>
    <id>${origin}/notices/${n.id}</id>
    <title>${escapeXml(n.title)}${n.state === "withdrawn" ? "（已撤回）" : n.state === "amended" ? "（已更正）" : ""}</title>
    <link rel="alternate" type="text/html" href="${origin}/notices/${n.id}"/>
    <updated>${iso(n.changedAt ?? n.publishedAt)}</updated>
    <published>${iso(n.publishedAt)}</published>
    <category term="${escapeXml(n.district)}"/>
    <summary>${escapeXml(summary)}</summary>
  </entry>`;
    })
    .join("\n");
  const body = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">
  <id>${escapeXml(self)}</id>
  <title>阳光扶贫：项目公告公示${district ? ` · ${escapeXml(district)}` : ""}</title>
  <link rel="self" type="application/atom+xml" href="${escapeXml(self)}"/>
  <link rel="alternate" type="text/html" href="${origin}/notices${district ? `?district=${encodeURIComponent(district)}` : ""}"/>
  <updated>${updated}</updated>
  <author><name>淄博市扶贫开发领导小组办公室</name></author>
${entries}
</feed>
`;
  return new Response(body, {
    headers: { "content-type": "application/atom+xml; charset=utf-8", "cache-control": "max-age=300" },
  });
};
