import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { baseURL, browserForFile, expectNoAxeViolationsWithJs, openNoJsPage, signIn } from "./harness";

// A project asset's income with JavaScript off: the publisher records a year whose distribution exceeds
// the income (refused, the figures kept in the form, nothing written), fixes it, then corrects the year
// with a reason; a citizen sees the year's sums on /assets.

const submit = (page: Page, selector: string) => Promise.all([page.waitForLoadState("load"), page.click(selector)]);

describe("asset income", () => {
  let browser: Browser;
  browserForFile((b) => {
    browser = b;
  });

  it("is recorded and corrected on the console page and shown on /assets", async () => {
    const assets = await (await fetch(`${baseURL()}/api/assets`)).json();
    const asset = assets.items[0] as { projectId: number; assetName: string };
    const { page, context } = await openNoJsPage(browser);
    await signIn(page, "fabu");
    await page.goto(`/console/publish/projects/${asset.projectId}/income`);
    expect(await page.locator("h1").textContent()).toContain("资产收益及分配");
    await page.fill("#year", "2025");
    await page.fill("#income", "12000");
    await page.fill("#toHouseholds", "8000");
    await page.fill("#toCollective", "4000.01");
    await submit(page, 'button:has-text("填报")');
    await expect.poll(() => page.locator("fieldset .field-error").textContent()).toContain("超过当年收益");
    expect(await page.inputValue("#toHouseholds")).toBe("8000");
    expect(await page.locator("#income-years").count()).toBe(0);
    await expectNoAxeViolationsWithJs(browser, page);

    await page.fill("#toCollective", "3000");
    await page.fill("#toMaintenance", "500");
    await submit(page, 'button:has-text("填报")');
    expect(await page.locator('[role="status"]').textContent()).toContain("2025 年的收益已填报");
    expect(await page.locator("#income-years tbody tr").count()).toBe(1);

    await submit(page, '#income-years a:has-text("更正")');
    expect(await page.inputValue("#income")).toBe("12000.00");
    await page.fill("#toHouseholds", "8500");
    await submit(page, 'button:has-text("保存更正")');
    expect(await page.locator("#reason + .field-error").textContent()).toContain("原因");
    await page.fill("#reason", "分红按村民代表会议决议更正");
    await submit(page, 'button:has-text("保存更正")');
    expect(await page.locator('[role="status"]').textContent()).toContain("已更正");
    await context.close();

    const citizen = await openNoJsPage(browser);
    await citizen.page.goto("/assets");
    const row = citizen.page
      .locator("#asset-income tbody tr", { hasText: asset.assetName })
      .filter({ hasText: "2025" });
    await expect.poll(() => row.count()).toBe(1);
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("12,000.00");
    expect(text).toContain("8,500.00");
    expect(text).toContain("第 2 版");
    await expectNoAxeViolationsWithJs(browser, citizen.page);
    await citizen.context.close();
  });
});
