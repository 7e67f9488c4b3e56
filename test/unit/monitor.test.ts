import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { MAX_DESCRIPTION } from "../../domain/hotline/input";
import { declaredCharset, decodeBody } from "../../domain/monitor/charset";
import { backoffMinutes, MAX_BACKOFF_MINUTES } from "../../domain/monitor/fetcher";
import { buildWatchList, isRelevant, matchText } from "../../domain/monitor/matching";
import { FeedParseError, htmlToText, parseEntries } from "../../domain/monitor/parse-feeds";
import {
  assertConnectable,
  checkUrl,
  isAllowed,
  isNonPublicAddress,
  parseAllowList,
  RefusedAddressError,
} from "../../domain/monitor/safety";
import {
  candidateKeys,
  fromBigintText,
  hammingDistance,
  MAX_DISTANCE,
  NearDuplicateGrouper,
  simhash,
  toBigintText,
} from "../../domain/monitor/simhash";
import { suppressColumn } from "../../domain/monitor/stats";
import { ticketDescription } from "../../domain/monitor/triage";
import { segmentForIndex } from "../../search/text";

describe("outbound safety", () => {
  it.each([
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fd00::abcd",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "64:ff9b::a9fe:a9fe",
  ])("refuses %s", (ip) => {
    expect(isNonPublicAddress(ip)).toBe(true);
    expect(() => assertConnectable([], "example.org", ip)).toThrow(RefusedAddressError);
  });

  it.each(["8.8.8.8", "114.114.114.114", "172.32.0.1", "2400:3200::1", "::ffff:8.8.8.8"])("accepts public %s", (ip) => {
    expect(isNonPublicAddress(ip)).toBe(false);
    expect(() => assertConnectable([], "example.org", ip)).not.toThrow();
  });

  it("treats something that is not an address as refused", () => {
    expect(isNonPublicAddress("localhost")).toBe(true);
  });

  it("allows listed hosts, addresses and CIDR blocks only", () => {
    const allow = parseAllowList("feeds.internal, 127.0.0.1, 10.20.0.0/16, [::1]");
    expect(isAllowed(allow, "feeds.internal", "10.9.9.9")).toBe(true);
    expect(isAllowed(allow, "other.internal", "127.0.0.1")).toBe(true);
    expect(isAllowed(allow, "x", "10.20.3.4")).toBe(true);
    expect(isAllowed(allow, "x", "10.21.3.4")).toBe(false);
    expect(isAllowed(allow, "x", "::1")).toBe(true);
    expect(isAllowed(allow, "x", "127.0.0.2")).toBe(false);
    expect(() => assertConnectable(allow, "x", "127.0.0.2")).toThrow(RefusedAddressError);
    expect(() => assertConnectable(allow, "x", "127.0.0.1")).not.toThrow();
    expect(parseAllowList(undefined)).toEqual([]);
    expect(() => parseAllowList("10.0.0.0/40")).toThrow(/prefix/);
    expect(() => parseAllowList("bad host!")).toThrow();
  });

  it("accepts only http(s) URLs without credentials", () => {
    expect(checkUrl("https://example.org/feed").ok).toBe(true);
    expect(checkUrl("ftp://example.org/").ok).toBe(false);
    expect(checkUrl("file:///etc/passwd").ok).toBe(false);
    expect(checkUrl("http://user:pw@example.org/").ok).toBe(false);
    expect(checkUrl("not a url").ok).toBe(false);
  });
});

describe("SimHash", () => {
  const story =
    "高青县常家镇某村干部在危房改造补助发放中优亲厚友，将多户贫困户的补助资金截留挪用，群众多次反映无果，希望有关部门尽快调查处理。";
  it("puts re-posts within MAX_DISTANCE and other stories, even on the same subject, far away", () => {
    const a = simhash(segmentForIndex(story));
    for (const repost of [
      `转载：${story}（来源：网友爆料）`,
      `【爆料】${story}`,
      story.replace("希望有关部门尽快调查处理。", "请相关部门彻查！"),
      `高青县一村干部被指优亲厚友 ${story}`,
    ]) {
      expect(hammingDistance(a, simhash(segmentForIndex(repost)))).toBeLessThanOrEqual(MAX_DISTANCE);
    }
    for (const other of [
      "淄博市今日发布天气预报，明天多云转晴，气温零下二度到八度，请市民注意添衣保暖。",
      "淄川区低保户反映补助资金被挪用，村干部吃拿卡要，群众意见很大，希望纪委调查。",
      "高青县常家镇举办农民丰收节，展示扶贫产业成果，群众热情参与。",
    ]) {
      expect(hammingDistance(a, simhash(segmentForIndex(other)))).toBeGreaterThan(3 * MAX_DISTANCE);
    }
  });

  it("gives any two fingerprints within MAX_DISTANCE a common candidate key", () => {
    let seed = 12345;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    for (let trial = 0; trial < 500; trial++) {
      const a = { hi: rnd(), lo: rnd() };
      const b = { ...a };
      const flips = new Set<number>();
      while (flips.size < MAX_DISTANCE) flips.add(rnd() % 64);
      for (const bit of flips) {
        if (bit < 32) b.hi = (b.hi ^ (1 << bit)) >>> 0;
        else b.lo = (b.lo ^ (1 << (bit - 32))) >>> 0;
      }
      expect(hammingDistance(a, b)).toBe(MAX_DISTANCE);
      const ka = new Set(candidateKeys(a));
      expect(candidateKeys(b).some((k) => ka.has(k))).toBe(true);
    }
  });

  it("round-trips through a signed bigint and cuts 28 keys", () => {
    const h = { hi: 0xfedcba98, lo: 0x01234567 };
    expect(fromBigintText(toBigintText(h))).toEqual(h);
    expect(BigInt(toBigintText(h)) < 0n).toBe(true);
    const keys = candidateKeys(h);
    expect(keys).toHaveLength(28);
    expect(keys[0]).toBe(0xfedc);
    expect(keys[27]).toBe((27 << 16) | 0x4567);
  });

  it("groups near-duplicates under the first-seen item", () => {
    const g = new NearDuplicateGrouper<string>();
    expect(g.add("a", { hi: 0, lo: 0 })).toBe("a");
    expect(g.add("b", { hi: 0, lo: 0b111111 })).toBe("a"); // 6 bits away
    expect(g.add("c", { hi: 0xffffffff, lo: 0xffffffff })).toBe("c");
    expect(g.add("d", { hi: 0, lo: 0b1111111 })).toBe("a"); // 7 from a but 1 from b: joins b's group
    expect(g.add("e", { hi: 0xf0f0f0f0, lo: 0 })).toBe("e");
    expect(g.size).toBe(5);
  });
});

describe("watch-list matching on segmented words", () => {
  const list = buildWatchList(
    [
      { name: "高青县", kind: "district", districtId: 7 },
      { name: "常家镇", kind: "town", districtId: 7 },
      { name: "淄川区", kind: "district", districtId: 2 },
    ],
    ["低保", "危房改造", "优亲厚友", "截留", "扶贫"],
  );

  it("catches a place with a campaign term, with the district", () => {
    const m = matchText(list, "高青县常家镇低保户反映危房改造补助被截留");
    expect(m.places).toEqual(["高青县", "常家镇"]);
    expect(m.terms).toEqual(expect.arrayContaining(["低保", "危房改造", "截留"]));
    expect(m.districtId).toBe(7);
    expect(isRelevant(m)).toBe(true);
  });

  it("matches the short form 高青 as a word but not inside 提高青年", () => {
    expect(matchText(list, "高青低保调查").places).toEqual(["高青县"]);
    const m = matchText(list, "提高青年就业水平，扶贫先扶志");
    expect(m.places).toEqual([]);
    expect(isRelevant(m)).toBe(false);
  });

  it("matches a term jieba cuts into several words", () => {
    expect(matchText(list, "淄川区村干部优亲厚友").terms).toContain("优亲厚友");
  });

  it("a place alone or a term alone is not enough", () => {
    expect(isRelevant(matchText(list, "高青县举办马拉松比赛"))).toBe(false);
    expect(isRelevant(matchText(list, "某省低保标准提高"))).toBe(false);
  });

  it("names the city as a place without a district", () => {
    const m = matchText(list, "淄博扶贫工作会议召开");
    expect(m.places).toEqual(["淄博市"]);
    expect(m.districtId).toBeNull();
  });
});

describe("feed parsing", () => {
  const base = "https://news.example.org/feed";
  it("reads RSS 2.0 with HTML in descriptions and relative links", () => {
    const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
      <item><title>高青县低保问题</title><link>/a/1</link><guid>g-1</guid>
        <description>&lt;p&gt;村民反映&lt;b&gt;低保&lt;/b&gt;被截留&lt;/p&gt;</description>
        <pubDate>Tue, 01 Dec 2026 08:00:00 +0800</pubDate></item>
      <item><title>第二条</title><link>https://news.example.org/a/2</link><description>正文</description></item>
    </channel></rss>`;
    const e = parseEntries("rss", rss, base);
    expect(e).toHaveLength(2);
    expect(e[0]).toMatchObject({
      guid: "g-1",
      url: "https://news.example.org/a/1",
      title: "高青县低保问题",
      text: "村民反映低保被截留",
    });
    expect(e[0].publishedAt?.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(e[1].guid).toBe("https://news.example.org/a/2");
  });

  it("reads Atom entries with alternate links", () => {
    const atom = `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
      <entry><id>urn:1</id><title type="html">标题&amp;一</title><link rel="self" href="/self"/><link rel="alternate" href="/e/1"/>
        <updated>2026-12-02T10:00:00Z</updated><summary>摘要</summary></entry></feed>`;
    const e = parseEntries("atom", atom, base);
    expect(e).toEqual([
      {
        guid: "urn:1",
        url: "https://news.example.org/e/1",
        title: "标题&一",
        text: "摘要",
        publishedAt: new Date("2026-12-02T10:00:00Z"),
      },
    ]);
  });

  it("reads JSON Feed", () => {
    const feed = JSON.stringify({
      version: "https://jsonfeed.org/version/1.1",
      items: [
        {
          id: "1",
          url: "https://x.example/1",
          title: "t",
          content_html: "<p>a&amp;b</p>",
          date_published: "2026-12-03T00:00:00Z",
        },
      ],
    });
    expect(parseEntries("jsonfeed", feed, base)[0]).toMatchObject({ guid: "1", text: "a&b" });
  });

  it("reads an HTML list page by CSS selector, scripts dropped", () => {
    const html = `<html><body><script>var x="低保";</script><ul class="news">
      <li><a href="/n/1">高青县扶贫</a> <span>2026-12-01</span></li>
      <li><a href="n/2">淄川区补助</a><time datetime="2026-12-02T08:00:00+08:00">昨天</time></li></ul></body></html>`;
    const e = parseEntries("html", html, "https://gov.example/list/index.html", "ul.news li");
    expect(e.map((x) => x.url)).toEqual(["https://gov.example/n/1", "https://gov.example/list/n/2"]);
    expect(e[0].publishedAt?.toISOString()).toBe("2026-11-30T16:00:00.000Z");
    expect(e[1].publishedAt?.toISOString()).toBe("2026-12-02T00:00:00.000Z");
    expect(htmlToText("<script>evil()</script><p>正文</p>")).toBe("正文");
  });

  it("says what is wrong with a malformed or mistyped document", () => {
    expect(() => parseEntries("rss", "<rss><channel><item>", base)).toThrow(FeedParseError);
    expect(() => parseEntries("rss", "<feed></feed>", base)).toThrow(/RSS/);
    expect(() => parseEntries("atom", "<rss><channel/></rss>", base)).toThrow(/Atom/);
    expect(() => parseEntries("jsonfeed", "{not json", base)).toThrow(/JSON/);
    expect(() => parseEntries("jsonfeed", '{"items":[]}', base)).toThrow(/version/);
    expect(() => parseEntries("html", "<p>x</p>", base, "li.none")).toThrow(/选择器/);
    expect(() => parseEntries("html", "<p>x</p>", base, null)).toThrow(/选择器/);
  });
});

describe("decoding", () => {
  const text = "高青县扶贫办：低保资金发放公告";
  it("decodes GBK declared in a meta tag, GB2312 as GB18030, and UTF-8 by default", () => {
    const gbk = iconv.encode(`<html><head><meta charset="gbk"></head><body>${text}</body></html>`, "gbk");
    expect(declaredCharset(gbk)).toBe("gb18030");
    expect(decodeBody(gbk).text).toContain(text);
    const gb2312 = iconv.encode(`<?xml version="1.0" encoding="GB2312"?><rss>${text}</rss>`, "gb18030");
    expect(decodeBody(gb2312).text).toContain(text);
    expect(decodeBody(iconv.encode(text, "gbk"), "text/html; charset=GBK").text).toBe(text);
    expect(decodeBody(Buffer.from(text)).text).toBe(text);
    expect(
      decodeBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), "text/html; charset=gbk").text,
    ).toBe(text);
  });
});

describe("small pieces", () => {
  it("backs off by doubling the interval, capped at a day", () => {
    expect(backoffMinutes(30, 0)).toBe(30);
    expect(backoffMinutes(30, 1)).toBe(60);
    expect(backoffMinutes(30, 3)).toBe(240);
    expect(backoffMinutes(30, 40)).toBe(MAX_BACKOFF_MINUTES);
  });

  it("withholds small cells and a second one when one alone would be recoverable", () => {
    expect(suppressColumn([10, 2, 7, 0])).toEqual([10, null, null, 0]);
    expect(suppressColumn([10, 2, 1, 7])).toEqual([10, null, null, 7]);
    expect(suppressColumn([10, 5])).toEqual([10, 5]);
  });

  it("fits link and snapshot into a ticket description", () => {
    const d = ticketDescription("摘要", "https://x.example/1", "某论坛", "快".repeat(5000));
    expect(d.length).toBeLessThanOrEqual(MAX_DESCRIPTION);
    expect(d).toContain("链接：https://x.example/1");
    expect(d.endsWith("…")).toBe(true);
  });
});
