import type { Browser } from "playwright-core";
import { describe, expect, it } from "vitest";
import { connectForFile, expectNoAxeViolations, openPage } from "./harness";

// The search page as a person uses it, against the built server with demo data (the demo seeders
// index their content; the founding document and the archive are always there).
describe("search page", () => {
  let browser: Browser;
  connectForFile((b) => {
    browser = b;
  });

  it("searches from the header box with JavaScript off, highlights matches, filters by facet links", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await page.goto("/");
    await page.fill("#site-q", "脱贫攻坚");
    await Promise.all([page.waitForURL(/\/search\?q=/), page.press("#site-q", "Enter")]);
    await expect(page.locator("h1").textContent()).resolves.toContain("脱贫攻坚");
    const results = page.locator("ol.results > li");
    expect(await results.count()).toBeGreaterThan(0);
    expect(await page.locator("ol.results mark").first().textContent()).toMatch(/脱贫|攻坚/);
    const total = Number(await page.locator(".summary strong").textContent());
    expect(total).toBeGreaterThan(0);

    // Facet: the first type link narrows the results and puts the facet in the URL.
    const typeFacet = page.locator('nav[aria-label="按类型筛选"] li a').first();
    const facetText = (await typeFacet.textContent())!.trim();
    const facetCount = Number((await typeFacet.locator("xpath=..").textContent())!.match(/\((\d+)\)/)![1]);
    await Promise.all([page.waitForURL(/type=/), typeFacet.click()]);
    expect(Number(await page.locator(".summary strong").textContent())).toBe(facetCount);
    await expect(page.locator(".active-filters").textContent()).resolves.toContain(facetText);

    // Remove it again.
    await Promise.all([page.waitForURL((u) => !u.searchParams.has("type")), page.locator(".active-filters a").click()]);
    expect(Number(await page.locator(".summary strong").textContent())).toBe(total);
    await context.close();
  });

  it("pages through many results and sorts by date, all in the URL", async () => {
    const { page, context, errors } = await openPage(browser);
    await page.goto(`/search?q=${encodeURIComponent("扶贫")}`);
    const total = Number(await page.locator(".summary strong").textContent());
    expect(total).toBeGreaterThan(10);
    const firstPage = await page.locator("ol.results h2").allTextContents();
    await Promise.all([page.waitForURL(/page=2/), page.click('.pager a[rel="next"]')]);
    const secondPage = await page.locator("ol.results h2").allTextContents();
    expect(secondPage.length).toBeGreaterThan(0);
    expect(secondPage.some((t) => firstPage.includes(t))).toBe(false);
    await Promise.all([page.waitForURL(/sort=date/), page.click("text=按日期（新→旧）")]);
    const dates = await page
      .locator("ol.results time")
      .evaluateAll((els) => els.map((e) => e.getAttribute("datetime")!));
    expect([...dates].sort().reverse()).toEqual(dates);
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("helps when nothing is found: suggests removing the facet and shows popular searches", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await page.goto(`/search?q=${encodeURIComponent("脱贫攻坚")}&year=1999`);
    await expect(page.locator(".empty h2").textContent()).resolves.toContain("没有找到");
    const remove = page.locator(".empty a", { hasText: "去掉“年份：1999”" });
    expect(await remove.count()).toBe(1);
    expect(await page.locator(".empty .chips a").count()).toBeGreaterThan(3);
    await Promise.all([page.waitForURL((u) => !u.searchParams.has("year")), remove.click()]);
    expect(Number(await page.locator(".summary strong").textContent())).toBeGreaterThan(0);

    // Without a query: the popular searches, each a working link.
    await page.goto("/search");
    const popular = page.locator(".chips a").first();
    await Promise.all([page.waitForURL(/q=/), popular.click()]);
    expect(await page.locator(".summary").count()).toBe(1);
    await context.close();
  });

  it("has no axe violations with results, facets chosen, and when empty", async () => {
    const { page, context, errors } = await openPage(browser);
    for (const path of [
      `/search?q=${encodeURIComponent("脱贫攻坚")}`,
      `/search?q=${encodeURIComponent("脱贫攻坚")}&type=yearbook`,
      `/search?q=${encodeURIComponent("脱贫攻坚")}&year=1999`,
      "/search",
    ]) {
      await page.goto(path);
      await expectNoAxeViolations(page);
    }
    expect(errors).toEqual([]);
    await context.close();
  });

  it("escapes what people type and fits a phone screen", async () => {
    const { page, context } = await openPage(browser);
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`/search?q=${encodeURIComponent('<img src=x onerror="window.__x=1">低保')}`);
    expect(await page.evaluate(() => (window as unknown as { __x?: number }).__x)).toBeUndefined();
    await expect(page.locator("h1").textContent()).resolves.toContain("<img");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.goto(`/search?q=${"扶".repeat(120)}`);
    await expect(page.locator('[role="alert"]').textContent()).resolves.toContain("最多");
    await context.close();
  });
});
