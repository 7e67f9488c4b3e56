import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { baseURL, browserForFile, expectNoAxeViolationsWithJs, openNoJsPage, signIn } from "./harness";

// The publisher's tools with JavaScript off: a fund CSV with one bad row gets a row report and
// nothing is written; fixed, it is checked again and committed; a notice is created, amended with a
// reason, and the public page marks the amendment.

const HEADER = "年度,资金级次,资金名称,文号,区县,镇办,村,项目,类别,金额,用途";
const FUND = "浏览器测试专项资金";

const submit = (page: Page, selector: string) => Promise.all([page.waitForLoadState("load"), page.click(selector)]);

async function countOurAllocations(): Promise<number> {
  const res = await fetch(
    `${baseURL()}/api/funds/export.json?${new URLSearchParams({ district: "高青县", year: "2026" })}`,
  );
  const text = await res.text();
  return text.split(FUND).length - 1;
}

describe("publisher's tools", () => {
  let browser: Browser;
  browserForFile((b) => {
    browser = b;
  });

  it("fund CSV: the row report first with nothing committed, then the fixed file is committed", async () => {
    const { page, context, errors } = await openNoJsPage(browser);
    await signIn(page, "fabu");
    await page.goto("/console/publish");
    await expectNoAxeViolationsWithJs(browser, page);
    await submit(page, 'a:has-text("导入资金分配（CSV）")');
    expect(await page.locator("h1").textContent()).toContain("导入资金分配");
    const before = await countOurAllocations();

    const row = (n: number, amount: string) =>
      `2026,市,${FUND},淄财农〔2026〕9${n}号,高青县,,,,产业扶贫,${amount},扶贫车间建设`;
    const bad = [HEADER, row(1, "120000.00"), row(2, "十二万"), row(3, "30000.50")].join("\r\n");
    await page.setInputFiles("#file", {
      name: "funds-2026.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(bad, "utf8"),
    });
    await submit(page, 'button:has-text("上传并检查")');
    const report = page.locator("#import-report");
    expect(await report.textContent()).toContain("没有写入任何数据");
    const problems = page.locator("#problems tbody tr");
    expect(await problems.count()).toBe(1);
    const cells = await problems.first().locator("td").allTextContents();
    expect(cells[0]).toBe("3"); // the header is row 1
    expect(cells[1]).toBe("金额");
    expect(cells[2]).toBe("十二万");
    await expectNoAxeViolationsWithJs(browser, page);
    expect(await countOurAllocations()).toBe(before);

    // Fixed: checked again, shown before anything is written, then committed.
    const good = [HEADER, row(1, "120000.00"), row(2, "120000.00"), row(3, "30000.50")].join("\r\n");
    await page.setInputFiles("#file", {
      name: "funds-2026.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(good, "utf8"),
    });
    await submit(page, 'button:has-text("上传并检查")');
    const preview = await page.locator("#import-preview").textContent();
    expect(preview).toContain("3");
    expect(preview).toContain("270,000.50 元");
    expect(preview).toContain("确认前不会写入任何数据");
    expect(await countOurAllocations()).toBe(before);
    await expectNoAxeViolationsWithJs(browser, page);
    await submit(page, 'button:has-text("确认导入 3 条")');
    expect(await page.locator("#import-done").textContent()).toContain("已导入 3 条");
    expect(await countOurAllocations()).toBe(before + 3);
    // The rejected upload answers 400 on purpose; nothing else may fail.
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await context.close();
  }, 240_000);

  it("creates a notice, amends it with a reason, and the public page marks the amendment", async () => {
    const { page, context } = await openNoJsPage(browser);
    await signIn(page, "fabu");
    await page.goto("/console/publish/notices/new");
    await expectNoAxeViolationsWithJs(browser, page);
    await page.fill("#title", "常家镇扶贫车间建设项目公示");
    await page.selectOption("#district", "高青县");
    await page.fill("#projectName", "常家镇扶贫车间");
    await page.fill("#funding", "市级财政专项扶贫资金 50 万元");
    await page.fill("#supervisionPhone", "12317");
    await submit(page, 'button:has-text("立即发布")');
    expect(page.url()).toMatch(/\/console\/publish\/notices\/\d+\?done=published$/);
    const originalId = new URL(page.url()).pathname.split("/").pop();
    expect(await page.locator("#notice-state").textContent()).toContain("公示中");

    // Amend: the reason is required and kept next to its field when missing.
    await page.fill("#funding", "市级财政专项扶贫资金 45 万元");
    await submit(page, 'button:has-text("发布更正")');
    expect(await page.locator("#err-reason").textContent()).toContain("更正原因");
    expect(await page.inputValue("#funding")).toBe("市级财政专项扶贫资金 45 万元");
    await page.fill("#reason", "资金规模按批复文件更正为 45 万元");
    await submit(page, 'button:has-text("发布更正")');
    expect(page.url()).toContain("done=amended");
    const newId = new URL(page.url()).pathname.split("/").pop();
    expect(newId).not.toBe(originalId);

    // The public pages: the original is marked and points to the amendment, which shows the reason.
    await page.goto(`/notices/${originalId}`);
    const original = await page.locator("main").textContent();
    expect(original).toContain("本公示已更正");
    expect(await page.locator(`a[href="/notices/${newId}"]`).count()).toBeGreaterThan(0);
    await page.goto(`/notices/${newId}`);
    const amended = await page.locator("main").textContent();
    expect(amended).toContain("资金规模按批复文件更正为 45 万元");
    expect(amended).toContain("45 万元");
    await context.close();
  }, 240_000);
});
