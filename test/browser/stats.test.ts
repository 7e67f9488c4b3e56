import type { Browser } from "playwright-core";
import { describe, expect, it } from "vitest";
import { baseURL, browserForFile, expectNoAxeViolationsWithJs, openNoJsPage } from "./harness";

/** The parts of GET /api/stats/hotline that the page is compared with. */
interface HotlineStats {
  totals: { received: number | null };
  byDistrict: { label: string; received: number | null }[];
}

// /stats with JavaScript off: the figures, charts with tables, small cells withheld, filters in the URL.

describe("public hotline statistics", () => {
  let browser: Browser;
  browserForFile((b) => {
    browser = b;
  });

  it("shows the figures with JavaScript off, small cells withheld, and filters through a plain form", async () => {
    const { page, context, errors } = await openNoJsPage(browser);
    await page.goto("/stats");
    expect(await page.locator("h1").textContent()).toContain("办理统计");
    const api = (await (await fetch(`${baseURL()}/api/stats/hotline`)).json()) as HotlineStats;
    // The demo data's tickets: the total is published, and the page shows the API's figure.
    expect(api.totals.received).toBeGreaterThanOrEqual(3);
    const totals = await page.locator("#totals").textContent();
    expect(totals).toContain(`${api.totals.received} 件`);
    // Charts are SVG with a text alternative, and every chart has its table.
    expect(await page.locator("figure.bar-chart svg[role=img]").count()).toBe(3);
    expect(await page.locator("#by-district-table tbody tr").count()).toBe(11);
    // Small cells: the demo has districts with 1 or 2 tickets; they read "<3", never the number.
    const withheld = api.byDistrict.filter((d) => d.received === null);
    expect(withheld.length).toBeGreaterThan(0);
    for (const d of withheld) {
      const cell = page.locator(`#by-district-table tr:has(th:text-is("${d.label}")) td`).first();
      expect(await cell.textContent()).toBe("<3");
    }
    expect(await page.locator("body").textContent()).not.toMatch(/ZB-\d{4}-\d{6}/);
    await expectNoAxeViolationsWithJs(browser, page);

    // Filter by a district with the form (GET, no script): the URL carries it.
    await page.selectOption("#f-district", { label: "高青县" });
    await Promise.all([page.waitForLoadState("load"), page.click('button:has-text("查看")')]);
    expect(new URL(page.url()).searchParams.get("district")).toBe("gaoqing");
    expect(await page.locator("#totals-h").textContent()).toContain("高青县");
    expect(await page.locator("#by-district-table tbody tr").count()).toBe(1);
    const csv = await page.locator('a:has-text("下载 CSV")').getAttribute("href");
    expect(csv).toContain("district=gaoqing");
    const res = await context.request.get(csv as string);
    expect(res.headers()["content-type"]).toContain("text/csv");
    expect((await res.text()).replace(/^\uFEFF/, "")).toMatch(/^分组,项目,收件数/);

    expect(errors).toEqual([]);

    // A bad filter: 400, the message next to the field.
    const bad = await page.goto("/stats?year=19x9");
    expect(bad?.status()).toBe(400);
    expect(await page.locator("#e-year").textContent()).toContain("四位年份");
    await expectNoAxeViolationsWithJs(browser, page);
    await context.close();
  }, 240_000);
});
