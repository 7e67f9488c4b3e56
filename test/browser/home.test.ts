import type { Browser } from "playwright-core";
import { describe, expect, it } from "vitest";
import { connectForFile, expectNoAxeViolations, openPage } from "./harness";

describe("home page", () => {
  let browser: Browser;
  connectForFile((b) => {
    browser = b;
  });

  it("renders in Chinese with the hotline in the footer, no console errors, no axe violations", async () => {
    const { page, errors, context } = await openPage(browser);
    const res = await page.goto("/");
    expect(res?.status()).toBe(200);
    expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
    await expect(page.locator("h1").textContent()).resolves.toContain("阳光扶贫");
    const footer = page.locator("footer");
    await expect(footer.textContent()).resolves.toContain("12317");
    expect(await footer.locator('a[href="/report"]').count()).toBeGreaterThan(0);
    expect(res?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("works without JavaScript and on a phone-sized screen", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto("/");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.fill("#site-q", "危房改造");
    await Promise.all([page.waitForURL(/\/search\?q=/), page.press("#site-q", "Enter")]);
    expect(new URL(page.url()).searchParams.get("q")).toBe("危房改造");
    await context.close();
  });

  it("serves robots.txt and the favicon", async () => {
    const { page, context } = await openPage(browser);
    const robots = await page.request.get("/robots.txt");
    expect(await robots.text()).toContain("Sitemap:");
    const icon = await page.request.get("/favicon.svg");
    expect(icon.status()).toBe(200);
    await context.close();
  });
});
