import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { describe, expect, it } from "vitest";
import { connectForFile, expectNoAxeViolations, openPage } from "./harness";

// The funds path as a citizen takes it: /funds → 高青县 2018 → drill down to a village → open a
// corrected allocation and read its history → download the exact view as CSV → open a notice in its
// period → reach the objection link. Axe on every page; the explorer also without JavaScript.

describe("funds and notices", { timeout: 180_000 }, () => {
  let browser: Browser;
  connectForFile((b) => {
    browser = b;
  });

  it("filters to 高青县 2018, drills down to a village, reads a corrected allocation and downloads the view", async () => {
    const { page, context, errors } = await openPage(browser);
    await page.goto("/funds");
    expect(await page.locator("h1").textContent()).toContain("资金分配结果");
    await expectNoAxeViolations(page);

    await page.getByLabel("年度", { exact: true }).selectOption("2018");
    await page.getByLabel("区县", { exact: true }).selectOption("高青县");
    await page.getByRole("button", { name: "查询" }).click();
    await page.waitForURL(/district=/);
    const url = new URL(page.url());
    expect(url.searchParams.get("year")).toBe("2018");
    expect(url.searchParams.get("district")).toBe("高青县");
    expect(await page.getByRole("status").first().textContent()).toContain("2018年高青县");
    // Both charts are drawn on the server, each with a data table.
    expect(await page.locator("figure.chart svg[role=img]").count()).toBe(2);
    expect(await page.locator("figure.chart details table").count()).toBe(2);
    await expectNoAxeViolations(page);

    // Drill down: district → town → village.
    const towns = page.getByRole("list", { name: "各镇（街道）合计" });
    const townLink = towns.getByRole("link").first();
    const townName = (await townLink.textContent())!.trim();
    await townLink.click();
    await page.waitForURL((u) => u.searchParams.get("town") === townName);
    const villages = page.getByRole("list", { name: "各村合计" });
    const villageLink = villages.getByRole("link").first();
    const villageName = (await villageLink.textContent())!.trim();
    await villageLink.click();
    await page.waitForURL((u) => u.searchParams.get("village") === villageName);
    expect(await page.locator("nav.breadcrumbs").textContent()).toContain(villageName);
    const count = Number(await page.getByTestId("total-count").textContent());
    expect(count).toBeGreaterThan(0);
    await expectNoAxeViolations(page);
    const viewUrl = page.url();

    // Download exactly this view as CSV.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: /^CSV/ }).click(),
    ]);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString("utf8").trim().split("\r\n");
    expect(lines[0]).toBe("编号,年度,资金级次,资金名称,文号,区县,镇办,村,项目,类别,金额,用途,发布日期,版本,已更正");
    expect(lines).toHaveLength(count + 1);
    for (const line of lines.slice(1)) {
      const cells = line.split(",");
      expect([cells[1], cells[5], cells[6], cells[7]]).toEqual(["2018", "高青县", townName, villageName]);
    }
    expect(lines.some((l) => l.endsWith(",是"))).toBe(true);

    // Open the allocation marked 已更正 and read its history.
    const row = page.locator("tbody tr", { has: page.locator(".corrected") }).first();
    await row.getByRole("link").first().click();
    await page.waitForURL(/\/funds\/\d+$/);
    expect(await page.locator("h1").textContent()).toContain("已更正");
    const versions = page.locator("ol.versions > li");
    expect(await versions.count()).toBe(2);
    expect(await versions.nth(0).textContent()).toContain("更正");
    expect(await versions.nth(0).textContent()).toContain("原因：");
    expect(await versions.nth(1).textContent()).toContain("首次公开");
    expect(await versions.nth(0).textContent()).toMatch(/金额 [\d,]+\.\d\d → [\d,]+\.\d\d 元/);
    await expectNoAxeViolations(page);
    await page.goto(viewUrl);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("opens a 高青县 notice in its period and reaches the objection link", async () => {
    const { page, context, errors } = await openPage(browser);
    await page.goto("/notices");
    await expectNoAxeViolations(page);
    await page.getByLabel("区县", { exact: true }).selectOption("高青县");
    await page.getByLabel("状态", { exact: true }).selectOption("in_period");
    await page.getByRole("button", { name: "查询" }).click();
    await page.waitForURL(/state=in_period/);
    await page.locator(".notice-list h2 a").first().click();
    await page.waitForURL(/\/notices\/\d+$/);
    const id = page.url().split("/").pop();
    const countdown = await page.getByTestId("countdown").textContent();
    expect(countdown).toMatch(/^公示期 \d{4}-\d{2}-\d{2} 至 \d{4}-\d{2}-\d{2}，剩余 \d+ 天$/);
    await expectNoAxeViolations(page);
    await page.getByRole("link", { name: /对此公示有异议？/ }).click();
    await page.waitForURL(/\/report\?/);
    const u = new URL(page.url());
    expect(u.searchParams.get("kind")).toBe("objection");
    expect(u.searchParams.get("noticeId")).toBe(id);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows amended and withdrawn notices marked, a project with its stages, and the feed", async () => {
    const { page, context } = await openPage(browser);
    await page.goto("/notices?state=amended");
    await page.locator(".notice-list h2 a").first().click();
    expect(await page.getByRole("note").first().textContent()).toContain("本公示已更正");
    expect(await page.getByRole("link", { name: /对此公示有异议/ }).count()).toBe(0);
    await expectNoAxeViolations(page);
    await page.getByRole("link", { name: "更正后的公示" }).click();
    expect(await page.getByRole("note").first().textContent()).toContain("更正原因");
    await page.goto("/notices?state=withdrawn");
    await page.locator(".notice-list h2 a").first().click();
    expect(await page.getByRole("note").first().textContent()).toContain("撤回原因");
    const projectLink = page
      .getByRole("link", { name: /./ })
      .filter({ has: page.locator("xpath=self::a[starts-with(@href,'/projects/')]") });
    await projectLink.first().click();
    await page.waitForURL(/\/projects\/\d+$/);
    expect(await page.locator("ol.stages li").count()).toBe(6);
    await expectNoAxeViolations(page);
    const feed = await page.request.get("/feeds/notices.xml?district=高青县");
    expect(feed.headers()["content-type"]).toContain("application/atom+xml");
    const xml = await feed.text();
    expect(xml).toContain("<feed");
    expect(xml).toContain('<category term="高青县"/>');
    expect(xml).not.toContain('<category term="沂源县"/>');
    await context.close();
  });

  it("works without JavaScript: the filters are a plain form and drill-down links carry the state", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await page.goto("/funds");
    await page.getByLabel("区县", { exact: true }).selectOption("沂源县");
    await page.getByRole("button", { name: "查询" }).click();
    await page.waitForURL(/district=/);
    // The town select appears once a district is chosen (server-rendered).
    await page.getByLabel("镇（街道）", { exact: true }).selectOption({ index: 1 });
    await page.getByLabel("年度", { exact: true }).selectOption("2020");
    await page.getByRole("button", { name: "查询" }).click();
    await page.waitForURL(/town=/);
    expect(Number(await page.getByTestId("total-count").textContent())).toBeGreaterThan(0);
    // Sorting is a link that keeps the filters.
    await page.getByRole("link", { name: /金额（元）/ }).click();
    const u = new URL(page.url());
    expect(u.searchParams.get("sort")).toBe("-amount");
    expect(u.searchParams.get("district")).toBe("沂源县");
    const amounts = await page.locator("table.funds-table tbody td.num").allTextContents();
    const values = amounts.map((a) => Number(a.replace(/,/g, "")));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    await context.close();
    // A bad filter in a shared link gets a clear message, not a crash (axe needs JavaScript: new page).
    const js = await openPage(browser);
    const res = await js.page.goto("/funds?district=火星县");
    expect(res?.status()).toBe(400);
    expect(await js.page.getByRole("alert").textContent()).toContain("火星县");
    await expectNoAxeViolations(js.page);
    await js.context.close();
  });
});
