import type { Browser } from "playwright-core";
import { describe, expect, it } from "vitest";
import { baseURL, connectForFile, expectNoAxeViolationsWithJs, openNoJsPage } from "./harness";

// The progress table on /funds with JavaScript off: 拨付率 and 到户率 by district (the same figures as
// GET /api/money/progress), regrouped by household programme through a plain link, the bars carrying
// their percentages as text, readable at 320 px without sideways scrolling, and no axe violations.

interface ProgressRow {
  key: string;
  paidToHouseholds: string;
  disbursementRate: string | null;
  householdRate: string | null;
}

const progress = async (query: string) =>
  ((await (await fetch(`${baseURL()}/api/money/progress?${query}`)).json()) as { rows: ProgressRow[] }).rows;

describe("the /funds progress table", { timeout: 180_000 }, () => {
  let browser: Browser;
  connectForFile((b) => {
    browser = b;
  });

  it("shows 拨付率 and 到户率 by district and by programme, without JavaScript, at 320 px", async () => {
    const { page, context, errors } = await openNoJsPage(browser);
    await page.goto("/funds");
    const table = page.getByTestId("progress-table");
    expect(await table.locator("thead").textContent()).toMatch(/拨付率[\s\S]*到户率/);
    const byDistrict = await progress("groupBy=district");
    expect(byDistrict.length).toBeGreaterThan(0);
    const rows = table.locator("tbody tr");
    expect(await rows.count()).toBe(byDistrict.length);
    for (const [i, r] of byDistrict.entries()) {
      const cells = (await rows.nth(i).locator("th, td").allTextContents()).map((t) => t.trim());
      expect(cells[0]).toBe(r.key);
      expect(cells[3]).toBe(r.disbursementRate);
      expect(cells[6]).toBe(r.householdRate);
    }
    // the bars say their figures in text
    const chart = page.getByTestId("progress-chart");
    expect(await chart.textContent()).toContain(`拨付率 ${byDistrict[0].disbursementRate}`);
    await expectNoAxeViolationsWithJs(browser, page);

    await Promise.all([page.waitForLoadState("load"), page.getByRole("link", { name: "按到户项目" }).click()]);
    expect(new URL(page.url()).searchParams.get("progress")).toBe("programme");
    const byProgramme = await progress("groupBy=programme");
    expect(byProgramme.length).toBeGreaterThan(0);
    const programmeRows = page.getByTestId("progress-table").locator("tbody tr");
    expect(await programmeRows.count()).toBe(byProgramme.length);
    expect((await programmeRows.first().locator("th").textContent())?.trim()).toBe(byProgramme[0].key);

    await page.setViewportSize({ width: 320, height: 700 });
    await page.goto("/funds");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
