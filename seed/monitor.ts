import { sql } from "drizzle-orm";
import { type Db, rows } from "../db/client";
import { catchEntries, recordCaught } from "../domain/monitor/items";
import { loadWatchList } from "../domain/monitor/matching";
import type { FeedEntry } from "../domain/monitor/parse-feeds";

// Demo online-opinion monitoring (DEMO ONLY, is_demo = true): three sources (switched off: their
// addresses are examples, not real sites) and what they "caught", recorded through the same matching
// and near-duplicate grouping as a real fetch — a story re-posted on two sites, one past its triage
// time, one already dismissed — and the demo operator on duty. Idempotent: nothing once a demo source exists.

const SOURCES = [
  { name: "淄博民生论坛（演示）", url: "https://bbs.example.org/zibo/rss.xml", kind: "rss" },
  { name: "齐鲁网友留言板（演示）", url: "https://liuyan.example.org/feed.atom", kind: "atom" },
  { name: "高青县政务网新闻（演示）", url: "https://gaoqing.example.gov.cn/news/list.html", kind: "html" },
] as const;

const STORY =
  "网友反映：高青县常家镇某村村干部在危房改造补助发放中优亲厚友，把补助给了自家亲戚，真正住危房的贫困户却没有申请到，希望有关部门调查。";

const ENTRIES: { source: number; hoursAgo: number; guid: string; title: string; text: string }[] = [
  {
    source: 0,
    hoursAgo: 30,
    guid: "demo-1",
    title: "高青县常家镇危房改造补助优亲厚友？",
    text: STORY,
  },
  {
    source: 1,
    hoursAgo: 26,
    guid: "demo-2",
    title: "【转】高青县常家镇危房改造补助优亲厚友",
    text: `转载：${STORY}`,
  },
  {
    source: 0,
    hoursAgo: 3,
    guid: "demo-3",
    title: "沂源县有人挪用扶贫资金150万元，涉及200多户贫困户",
    text: "有网友发帖称，沂源县某镇扶贫项目资金150万元被挪用于修建办公楼，涉及200多户贫困户的产业分红至今没有兑现。",
  },
  {
    source: 1,
    hoursAgo: 2,
    guid: "demo-4",
    title: "淄川区低保户反映补助被截留",
    text: "淄川区一名低保户留言说，今年的低保补助连续三个月没有到账，村里说被镇上截留了，请求帮助查询。",
  },
  {
    source: 2,
    hoursAgo: 20,
    guid: "demo-5",
    title: "临淄区召开扶贫领域形式主义官僚主义专项整治推进会",
    text: "临淄区召开扶贫领域形式主义、官僚主义专项整治推进会，部署下一阶段整改工作。",
  },
  {
    source: 0,
    hoursAgo: 0.5,
    guid: "demo-6",
    title: "博山区脱贫户反映产业扶贫大棚无人管护",
    text: "博山区一位脱贫户反映，村里的扶贫大棚建成后无人管护，已经闲置半年，担心收益分红落空。",
  },
];

export async function seedMonitorDemo(db: Db) {
  const [{ n }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM monitor_sources WHERE is_demo`);
  if (n > 0) return;
  const ids: number[] = [];
  for (const s of SOURCES) {
    const [row] = await rows<{ id: number }>(
      db,
      sql`INSERT INTO monitor_sources (name, url, kind, item_selector, enabled, is_demo, last_success_at, items_seen)
          VALUES (${s.name}, ${s.url}, ${s.kind}, ${s.kind === "html" ? "ul.news li" : null}, false, true, now() - interval '30 minutes', 40)
          ON CONFLICT (url) DO NOTHING RETURNING id`,
    );
    if (!row) return;
    ids.push(Number(row.id));
  }
  const list = await loadWatchList(db);
  // Oldest first, so the first-seen story heads its group.
  for (const e of [...ENTRIES].sort((a, b) => b.hoursAgo - a.hoursAgo)) {
    const entry: FeedEntry = {
      guid: e.guid,
      url: `${SOURCES[e.source].url.replace(/[^/]+$/, "")}post/${e.guid}`,
      title: e.title,
      text: e.text,
      publishedAt: new Date(Date.now() - e.hoursAgo * 3600_000),
    };
    const caught = catchEntries(list, [entry]);
    await recordCaught(db, ids[e.source], caught, true);
    await db.execute(sql`UPDATE monitor_items SET fetched_at = now() - make_interval(secs => ${Math.round(e.hoursAgo * 3600)})
        WHERE source_id = ${ids[e.source]} AND is_demo AND fetched_at > now() - interval '1 minute'`);
  }
  await db.execute(sql`UPDATE monitor_sources s SET items_caught = (SELECT count(*) FROM monitor_items m WHERE m.source_id = s.id)
      WHERE s.is_demo`);
  // The council meeting is official news, not a complaint: dismissed by the demo operator.
  await db.execute(sql`UPDATE monitor_items SET state = 'dismissed', dismiss_reason = '官方工作动态，非群众反映问题',
      triaged_at = fetched_at + interval '25 minutes', triaged_by = (SELECT id FROM users WHERE username = 'jiexian')
      WHERE is_demo AND title LIKE '临淄区召开%'`);
  // Already notified: the demo's old items do not notify anyone again on the first tick.
  await db.execute(sql`UPDATE monitor_items SET duty_notified_at = now(), supervisor_notified_at = now()
      WHERE is_demo AND state = 'new' AND fetched_at < now() - interval '2 hours'`);
  await db.execute(sql`INSERT INTO monitor_duty (user_id, starts_at, ends_at)
      SELECT id, now() - interval '1 hour', now() + interval '30 days' FROM users WHERE username = 'jiexian'`);
}
