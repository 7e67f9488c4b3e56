import { createServer, type Server } from "node:http";
import iconv from "iconv-lite";

// A local site for the monitoring tests: RSS, Atom, JSON Feed, a GBK-encoded HTML list page, and the
// ways a source goes wrong (slow, 404, redirect loop, a redirect to a private address, too big,
// malformed). The RSS feed honours If-None-Match. Listens on 127.0.0.1 on a free port.

export const STORY =
  "网友反映：高青县常家镇某村村干部在危房改造补助发放中优亲厚友，把补助给了自家亲戚，真正住危房的贫困户却没有申请到，希望有关部门调查。";

const rss = (base: string) => `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>民生论坛</title><link>${base}/</link>
<item><title>高青县常家镇危房改造补助优亲厚友？</title><link>${base}/posts/1</link><guid>rss-1</guid>
  <description>&lt;p&gt;${STORY}&lt;/p&gt;</description><pubDate>Tue, 01 Dec 2026 08:00:00 +0800</pubDate></item>
<item><title>沂源县有人挪用扶贫资金150万元</title><link>${base}/posts/2</link><guid>rss-2</guid>
  <description>网友发帖称，沂源县某镇扶贫项目资金150万元被挪用于修建办公楼，涉及200多户贫困户的产业分红至今没有兑现。</description></item>
<item><title>提高青年就业水平的几点建议</title><link>${base}/posts/3</link><guid>rss-3</guid>
  <description>各地要提高青年就业水平，扶贫先扶志。</description></item>
<item><title>周末去哪儿玩</title><link>${base}/posts/4</link><guid>rss-4</guid><description>淄博烧烤真好吃。</description></item>
</channel></rss>`;

const atom = (base: string) => `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>留言板</title><id>urn:board</id><updated>2026-12-02T00:00:00Z</updated>
<entry><id>urn:board:7</id><title>【转】高青县常家镇危房改造补助优亲厚友</title><link href="${base}/board/7"/>
  <updated>2026-12-02T00:00:00Z</updated><summary>转载：${STORY}</summary></entry>
<entry><id>urn:board:8</id><title>天气预报</title><link href="${base}/board/8"/><updated>2026-12-02T00:00:00Z</updated>
  <summary>明天多云转晴。</summary></entry>
</feed>`;

const jsonFeed = (base: string) =>
  JSON.stringify({
    version: "https://jsonfeed.org/version/1.1",
    title: "问政",
    items: [
      {
        id: "j-1",
        url: `${base}/ask/1`,
        title: "淄川区低保户反映补助被截留",
        content_text: "淄川区一名低保户留言说，今年的低保补助连续三个月没有到账，村里说被镇上截留了。",
        date_published: "2026-12-03T09:00:00+08:00",
      },
      { id: "j-2", url: `${base}/ask/2`, title: "小区停车难", content_text: "张店区某小区停车难，希望解决。" },
    ],
  });

const gbkPage = () =>
  iconv.encode(
    `<!doctype html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>新闻</title></head>
<body><ul class="news">
<li><a href="/gov/n/1">博山区脱贫户反映扶贫大棚无人管护</a> <span>2026-12-01</span></li>
<li><a href="/gov/n/2">博山区举办文化节</a> <span>2026-12-02</span></li>
</ul></body></html>`,
    "gbk",
  );

export interface FeedServer {
  base: string;
  port: number;
  /** Requests per path, and how many of the RSS requests were answered 304. */
  hits: Map<string, number>;
  notModified: number;
  close(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  const hits = new Map<string, number>();
  const state = { notModified: 0 };
  let base = "";
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (req.headers.cookie || req.headers.authorization) {
      res.writeHead(400).end("credentials sent");
      return;
    }
    switch (path) {
      case "/rss.xml": {
        const etag = '"rss-v1"';
        if (req.headers["if-none-match"] === etag) {
          state.notModified++;
          res.writeHead(304, { etag }).end();
          return;
        }
        res.writeHead(200, { "content-type": "application/rss+xml; charset=utf-8", etag }).end(rss(base));
        return;
      }
      case "/atom.xml":
        res.writeHead(200, { "content-type": "application/atom+xml" }).end(atom(base));
        return;
      case "/feed.json":
        res.writeHead(200, { "content-type": "application/feed+json" }).end(jsonFeed(base));
        return;
      case "/gbk.html":
        // No charset in the header: the page declares GB2312 in its meta tag.
        res.writeHead(200, { "content-type": "text/html" }).end(gbkPage());
        return;
      case "/slow": {
        const t = setTimeout(
          () => res.writeHead(200, { "content-type": "application/rss+xml" }).end(rss(base)),
          12_000,
        );
        res.on("close", () => clearTimeout(t));
        return;
      }
      case "/loop-a":
        res.writeHead(302, { location: "/loop-b" }).end();
        return;
      case "/loop-b":
        res.writeHead(302, { location: "/loop-a" }).end();
        return;
      case "/to-private":
        res.writeHead(302, { location: "http://10.255.255.1/feed.xml" }).end();
        return;
      case "/huge": {
        res.writeHead(200, { "content-type": "application/rss+xml" });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const pump = () => {
          while (sent < 64 && res.write(chunk)) sent++;
          if (sent >= 64) res.end();
          else res.once("drain", pump);
        };
        pump();
        return;
      }
      case "/malformed.xml":
        res
          .writeHead(200, { "content-type": "application/rss+xml" })
          .end("<rss><channel><item><title>x</title></channel>");
        return;
      default:
        res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  base = `http://127.0.0.1:${port}`;
  return {
    base,
    port,
    hits,
    get notModified() {
      return state.notModified;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
