import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { connectForFile, expectNoAxeViolations, openPage } from "./harness";

// The hotline as a resident uses it: file a report (JavaScript off and on), keep the receipt, follow
// the ticket with it, add information; a wrong receipt is refused.

/** Submit a form and wait for the page its POST returns. */
async function submit(page: Page, selector: string) {
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.request().isNavigationRequest()),
    page.click(selector),
  ]);
  await page.waitForLoadState("load");
}

async function fileReport(page: Page, title: string) {
  await page.goto("/report");
  await page.check('input[name="kind"][value="complaint"]');
  await page.selectOption("#category", { label: "危房改造" });
  await page.fill("#title", title);
  await page.fill("#description", "常家镇一户危房改造补助至今没有发放。");
  await page.selectOption("#district", "高青县");
  await page.selectOption("#town", "常家镇");
  await submit(page, "#report-submit");
  const number = (await page.locator("#ticket-number").textContent())?.trim() ?? "";
  const receipt = (await page.locator("#ticket-receipt").textContent())?.trim() ?? "";
  return { number, receipt };
}

describe("hotline pages", () => {
  let browser: Browser;
  connectForFile((b) => {
    browser = b;
  });

  it("files an anonymous report with JavaScript off, shows the errors in Chinese next to the fields, keeps what was typed", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await page.goto("/report");
    // Submit with a missing category and district: errors next to the fields, the text kept.
    await page.check('input[name="kind"][value="report"]');
    await page.fill("#title", "村干部截留补助");
    await page.fill("#description", "我写了很长的一段话，不能丢。");
    await page.check("#anonymous-no");
    await page.fill("#phone", "12345");
    await submit(page, "#report-submit");
    expect(await page.locator("#category-error").textContent()).toMatch(/类别/);
    expect(await page.locator("#district-error").textContent()).toMatch(/区县/);
    expect(await page.locator("#phone-error").textContent()).toMatch(/手机/);
    expect(await page.locator("#name-error").textContent()).toMatch(/姓名/);
    expect(await page.inputValue("#description")).toBe("我写了很长的一段话，不能丢。");
    expect(await page.inputValue("#title")).toBe("村干部截留补助");
    // Fix and file anonymously.
    await page.check("#anonymous-yes");
    await page.selectOption("#category", { label: "资金项目管理" });
    await page.selectOption("#district", "沂源县");
    await submit(page, "#report-submit");
    expect(await page.locator("h1").textContent()).toContain("提交成功");
    expect(await page.locator("body").textContent()).toContain("请妥善保存查询码");
    expect(await page.locator("#ticket-number").textContent()).toMatch(/^ZB-\d{4}-\d{6,}$/);
    expect(page.url()).not.toContain(await page.locator("#ticket-receipt").textContent());
    await context.close();
  });

  it("files with JavaScript on, follows the ticket with the receipt, adds a message; a wrong receipt is refused", async () => {
    const { page, context, errors } = await openPage(browser);
    // axe needs JavaScript in the page, so the accessibility checks run here: empty form, errors, result.
    await page.goto("/report");
    await expectNoAxeViolations(page);
    await page.fill("#title", "只填了标题");
    await submit(page, "#report-submit");
    expect(await page.locator("#description-error").textContent()).toMatch(/内容/);
    expect(await page.inputValue("#title")).toBe("只填了标题");
    await expectNoAxeViolations(page);
    const { number, receipt } = await fileReport(page, "危房改造补助未发放（JS）");
    await expectNoAxeViolations(page);
    expect(number).toMatch(/^ZB-/);
    expect(receipt).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);

    await page.goto("/track");
    await expectNoAxeViolations(page);
    await page.fill("#number", number);
    await page.fill("#receipt", "AAAA-BBBB-CCCC-DDDD-EEEE");
    await submit(page, "#track-submit");
    expect(await page.locator("#lookup-error").textContent()).toContain("工单编号或查询码不正确");
    expect(page.url()).not.toContain("AAAA");

    await page.fill("#number", number);
    await page.fill("#receipt", receipt);
    await submit(page, "#track-submit");
    expect(await page.locator("#ticket-status").textContent()).toContain("已收到");
    expect(page.url()).not.toContain(receipt);
    await expectNoAxeViolations(page);

    await page.fill("#body", "补充：补助申请表编号 2026-017。");
    await submit(page, "#message-submit");
    expect(await page.locator('[role="status"]').textContent()).toContain("已收到您补充的信息");
    expect(await page.locator(".messages").textContent()).toContain("补助申请表编号 2026-017");
    await expectNoAxeViolations(page);
    // The refused lookup is answered 404, which Chromium reports as a failed resource; nothing else.
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    await context.close();
  });

  it("follows with JavaScript off, on a phone-sized screen", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await page.setViewportSize({ width: 360, height: 740 });
    const { number, receipt } = await fileReport(page, "手机上提交");
    await page.goto("/track");
    await page.fill("#number", number);
    await page.fill("#receipt", receipt.toLowerCase());
    await submit(page, "#track-submit");
    expect(await page.locator("h2#summary-h").textContent()).toContain(number);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
  });

  it("an objection opened from a notice in its period is prefilled and filed against it", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    const res = await page.request.get("/api/notices?state=in_period");
    const list = await res.json();
    const notice = list.items[0];
    expect(notice?.state).toBe("in_period");
    await page.goto(`/report?kind=objection&noticeId=${notice.id}`);
    expect(await page.locator(".notice-box").first().textContent()).toContain(notice.title);
    expect(await page.isChecked('input[name="kind"][value="objection"]')).toBe(true);
    expect(await page.inputValue("#district")).not.toBe("");
    await page.selectOption("#category", { label: "产业扶贫" });
    await page.fill("#title", "公示的带贫人数不实");
    await page.fill("#description", "公示中的带贫户数与村里实际情况不符。");
    await submit(page, "#report-submit");
    expect(await page.locator("#ticket-number").textContent()).toMatch(/^ZB-/);
    await context.close();
  });
});
