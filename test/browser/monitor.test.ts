import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { type FeedServer, startFeedServer } from "../support/feed-server";
import { connectForFile, expectNoAxeViolations, expectNoAxeViolationsWithJs, openPage, signIn } from "./harness";

// The duty operator works the online-opinion queue with JavaScript off: turns a caught post about
// misused poverty-relief money into a ticket (tier I by the rules, first response within 24 hours),
// dismisses another with a reason; the admin sees each source's health and cannot add a non-http
// source, edits a source on the local feed server, fetches it now and deletes it; a supervisor edits the watch-list; the public statistics show the monitoring figures.

async function submit(page: Page, formSelector: string) {
  await Promise.all([
    page.waitForNavigation({ waitUntil: "load" }),
    page.click(`${formSelector} button[type="submit"]`),
  ]);
}

async function noHorizontalScroll(page: Page) {
  await page.setViewportSize({ width: 320, height: 640 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** "YYYY-MM-DD HH:mm" in China time → epoch ms. */
const chinaMs = (text: string) => Date.parse(`${text.replace(" ", "T")}:00+08:00`);

describe("online-opinion monitoring console", () => {
  let browser: Browser;
  connectForFile((b) => {
    browser = b;
  });

  it("turns a caught item into a tier-I 网络舆情 ticket with its 24-hour deadline", async () => {
    const { page, context, errors } = await openPage(browser, { javaScriptEnabled: false });
    page.setDefaultTimeout(30_000);
    await signIn(page, "jiexian");
    await page.click('nav.console-nav a[href="/console/monitor"]');
    await expect(page.locator("h1").textContent()).resolves.toBe("涉贫舆情监测");
    await expect(page.locator("#duty").textContent()).resolves.toContain("王接线");
    // The story re-posted on two sites is one item with its spread.
    const story = page.locator("li.item", { hasText: "高青县常家镇危房改造补助优亲厚友？" });
    await expect(story.textContent()).resolves.toContain("转载 1 次");
    await expect(page.locator("li.item", { hasText: "【转】" }).count()).resolves.toBe(0);
    await noHorizontalScroll(page);

    await page.click("text=沂源县有人挪用扶贫资金150万元");
    await expect(page.locator("pre.snapshot").textContent()).resolves.toContain("150万元被挪用于修建办公楼");
    await page.selectOption("#action-ticket #kind", "report");
    await page.selectOption("#action-ticket #category", { label: "资金项目管理" });
    await expect(page.locator("#action-ticket #district").inputValue()).resolves.toBe("沂源县");
    await page.fill("#summary", "网帖反映扶贫资金被挪用，涉及 200 多户");
    const before = Date.now();
    await submit(page, "#action-ticket");
    await expect(page.locator("#ticket-tier").textContent()).resolves.toBe("I");
    const due = (await page.locator("#first-response").textContent()) ?? "";
    expect(due).toContain("24 小时");
    const dueMs = chinaMs(due.match(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/)?.[0] ?? "");
    expect(dueMs - before).toBeGreaterThan(24 * 3600_000 - 2 * 60_000);
    expect(dueMs - before).toBeLessThan(24 * 3600_000 + 2 * 60_000);
    await expect(page.locator("#state").textContent()).resolves.toContain("已转工单");
    await expectNoAxeViolationsWithJs(browser, page);
    const number = ((await page.locator("#ticket-number").textContent()) ?? "").trim();
    expect(number).toMatch(/^ZB-\d{4}-\d{6,}$/);
    await page.click("#ticket-number");
    await expect(page.locator("body").textContent()).resolves.toContain("首次响应（特别重大）");
    await expect(page.locator("body").textContent()).resolves.toContain("网络舆情");

    // Dismissing needs a reason; the error sits next to the field.
    await page.goto("/console/monitor");
    await page.click("text=淄川区低保户反映补助被截留");
    await submit(page, "#action-dismiss");
    await expect(page.locator("#err-reason").textContent()).resolves.toContain("请填写排除理由");
    await page.fill("#reason", "已核实为重复反映，工单 ZB 已在办理");
    await submit(page, "#action-dismiss");
    await expect(page.locator("#state").textContent()).resolves.toBe("已排除");
    await expect(page.locator("#action-dismiss").count()).resolves.toBe(0);
    await noHorizontalScroll(page);
    await page.goto("/console/monitor/stats");
    await expect(page.locator("h1").textContent()).resolves.toContain("监测统计");
    await expect(page.locator("table").first().textContent()).resolves.toContain("月");
    await expectNoAxeViolationsWithJs(browser, page);
    // The one failed request is the refused empty-reason form (400, by design).
    expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
    await context.close();
  }, 240_000);

  it("shows the admin each source's health and refuses a non-http source, keeping what was typed", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    page.setDefaultTimeout(30_000);
    await signIn(page, "admin");
    await page.goto("/console/monitor/sources");
    await expect(page.locator("li.source").count()).resolves.toBeGreaterThanOrEqual(3);
    await expect(page.locator("body").textContent()).resolves.toContain("淄博民生论坛（演示）");
    await page.fill("#name", "内部文件");
    await page.fill("#url", "file:///etc/passwd");
    await submit(page, "#add-source");
    await expect(page.locator("#err-url").textContent()).resolves.toContain("只允许 http 或 https 网址");
    await expect(page.locator("#name").inputValue()).resolves.toBe("内部文件");
    await noHorizontalScroll(page);
    await expectNoAxeViolationsWithJs(browser, page);
    await context.close();
  }, 120_000);

  it("lets the admin edit a source, fetch it now and delete it, without JavaScript", async () => {
    const feeds: FeedServer = await startFeedServer();
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    page.setDefaultTimeout(30_000);
    try {
      await signIn(page, "admin");
      await page.goto("/console/monitor/sources");
      await page.fill("#name", "本地测试论坛");
      await page.fill("#url", `${feeds.base}/rss.xml?first`);
      await submit(page, "#add-source");
      await page.click("li.source h2 a:text-is('本地测试论坛')");
      await expect(page.locator("h1").textContent()).resolves.toBe("本地测试论坛");

      // Edit: a bad interval is refused next to its field, keeping what was typed; then saved.
      await page.fill("#name", "本地测试论坛（改）");
      await page.fill("#intervalMinutes", "0");
      await submit(page, "#edit-source");
      await expect(page.locator("#err-intervalMinutes").textContent()).resolves.toContain("至少 1 分钟");
      await expect(page.locator("#name").inputValue()).resolves.toBe("本地测试论坛（改）");
      await page.fill("#intervalMinutes", "15");
      // A new URL (its validators forgotten) and switched off, so no scheduled round fetches it first.
      await page.fill("#url", `${feeds.base}/rss.xml`);
      await page.uncheck("input[name=enabled]");
      await page.selectOption("#ownerUnitId", { index: 1 });
      const unit = await page.locator("#ownerUnitId option:checked").textContent();
      await submit(page, "#edit-source");
      await expect(page.locator("[role=status]").textContent()).resolves.toContain("已保存");
      await expect(page.locator("h1").textContent()).resolves.toBe("本地测试论坛（改）");
      await expect(page.locator("#intervalMinutes").inputValue()).resolves.toBe("15");
      await expect(page.locator("#ownerUnitId option:checked").textContent()).resolves.toBe(unit);
      await expect(page.locator("#url").inputValue()).resolves.toBe(`${feeds.base}/rss.xml`);
      await expect(page.locator("input[name=enabled]").isChecked()).resolves.toBe(false);

      // Fetch now (a switched-off source too): the server fetches the local feed (loopback allowed by
      // MONITOR_ALLOW_HOSTS in the test server) and shows what it read; a scheduled round running at
      // that moment is a 409 to retry.
      const fetchNow = async () => {
        for (let i = 0; i < 20; i++) {
          await submit(page, "#fetch-now");
          const text = (await page.locator("[role=status], [role=alert]").first().textContent()) ?? "";
          if (!text.includes("正在进行一轮抓取")) return text;
          await page.waitForTimeout(1000);
        }
        throw new Error("a fetch round never ended");
      };
      expect(await fetchNow()).toMatch(/已抓取：读取 [1-9]\d* 条，新捕获 \d+ 条/);
      expect(feeds.hits.get("/rss.xml")).toBeGreaterThanOrEqual(1);
      await expect(page.locator(".health").textContent()).resolves.toContain("正常");
      expect(await fetchNow()).toContain("内容未变化（304）");
      await noHorizontalScroll(page);
      await expectNoAxeViolationsWithJs(browser, page);

      // It caught items, so "delete" switches it off and keeps them.
      const caught = Number((await page.locator(".health").textContent())?.match(/捕获 (\d+) 条/)?.[1]);
      await submit(page, "#delete-source");
      await expect(page.locator("h1").textContent()).resolves.toBe("监测来源");
      const row = page.locator("li.source", { hasText: "本地测试论坛（改）" });
      if (caught > 0) {
        await expect(page.locator("[role=status]").textContent()).resolves.toContain("已停用并保留记录");
        await expect(row.textContent()).resolves.toContain("已停用");
      } else {
        await expect(page.locator("[role=status]").textContent()).resolves.toContain("已删除来源");
        await expect(row.count()).resolves.toBe(0);
      }

      // A source that never caught anything is deleted.
      await page.fill("#name", "本地失效页");
      await page.fill("#url", `${feeds.base}/missing`);
      await submit(page, "#add-source");
      await page.click("li.source h2 a:text-is('本地失效页')");
      await submit(page, "#delete-source");
      await expect(page.locator("[role=status]").textContent()).resolves.toContain("已删除来源");
      await expect(page.locator("li.source", { hasText: "本地失效页" }).count()).resolves.toBe(0);
    } finally {
      await context.close();
      await feeds.close();
    }
  }, 180_000);

  it("lets a supervisor add a watch-list term and put someone on duty", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    page.setDefaultTimeout(30_000);
    await signIn(page, "duban");
    await page.goto("/console/monitor/settings");
    await page.fill("#term", "套取");
    await submit(page, "#term-add");
    await expect(page.locator(".terms").textContent()).resolves.toContain("套取");
    await page.selectOption("#userId", { label: "李督办（演示·市级）" });
    await submit(page, "#duty-add");
    await expect(page.locator(".roster").textContent()).resolves.toContain("李督办（演示·市级）");
    await noHorizontalScroll(page);
    await expectNoAxeViolationsWithJs(browser, page);
    await context.close();
  }, 120_000);

  it("publishes the monitoring figures on /stats", async () => {
    const { page, context } = await openPage(browser);
    await page.goto("/stats");
    await expect(page.locator("#monitor-stats h2").textContent()).resolves.toContain("涉贫网络舆情监测");
    await expectNoAxeViolations(page);
    await context.close();
  }, 120_000);
});
