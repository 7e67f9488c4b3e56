import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseURL, expectNoAxeViolationsWithJs, launchBrowser, openNoJsPage, signIn } from "./harness";

// The staff-approved public summary of a ticket, from the console ticket page with JavaScript off:
// previewed as it will be public (the reporter's name and phone, and any phone or ID number, hidden),
// saved through the domain function (which audits it), and shown by Open311 instead of the reporter's title.

let browser: Browser;
let ticket: { number: string };

beforeAll(async () => {
  browser = await launchBrowser();
  const res = await fetch(`${baseURL()}/api/tickets`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      kind: "complaint",
      category: "housing",
      title: "我是赵小满电话13611112222，补助没发",
      description: "我家去年申请的危房改造补助至今没有发放，村里说还在等。",
      district: "高青县",
      reporter: { anonymous: false, name: "赵小满", phone: "13611112222" },
    }),
  });
  expect(res.status).toBe(201);
  ticket = (await res.json()) as { number: string };
});

afterAll(async () => {
  await browser?.close();
});

describe("public summary on the console ticket page (no JavaScript)", () => {
  it("previews the redacted text, saves it with an audit record, and Open311 shows it instead of the title", async () => {
    const { page, context } = await openNoJsPage(browser);
    await signIn(page, "duban");
    await page.goto(`/console/tickets/${ticket.number}`);
    // Until a summary is approved, public views show the kind and category only.
    expect(await page.locator("#public-title").textContent()).toMatch(/^投诉·/);
    await page.fill("#publicSummary", "赵小满反映危房改造补助未发放，联系电话13611112222");
    await Promise.all([page.waitForLoadState(), page.click('button[value="summary-preview"]')]);
    const preview = (await page.locator("#public-summary-preview").textContent()) ?? "";
    expect(preview).toContain("***反映危房改造补助未发放");
    expect(preview).not.toContain("赵小满");
    expect(preview).not.toContain("13611112222");
    expect(preview).toContain("已隐去");
    // The preview saved nothing.
    const before = await (await fetch(`${baseURL()}/open311/v2/requests/${ticket.number}.json`)).json();
    expect(before[0].description ?? "").not.toContain("***");
    // The draft stays in the field; saving it is audited and shown.
    expect(await page.inputValue("#publicSummary")).toContain("赵小满");
    await Promise.all([page.waitForURL(/done=public-summary/), page.click('button[value="summary-save"]')]);
    expect(await page.locator('[role="status"]').first().textContent()).toContain("公开摘要已保存");
    const title = (await page.locator("#public-title").textContent()) ?? "";
    expect(title).toBe("***反映危房改造补助未发放，联系电话***");
    expect(await page.locator("ol.audit").textContent()).toContain("ticket.public_summary");
    await expectNoAxeViolationsWithJs(browser, page);
    const open311 = await (await fetch(`${baseURL()}/open311/v2/requests/${ticket.number}.json`)).text();
    expect(open311).toContain("***反映危房改造补助未发放");
    expect(open311).not.toContain("赵小满");
    expect(open311).not.toContain("13611112222");
    await context.close();
  });

  it("an over-long summary is refused next to the field and nothing is saved", async () => {
    const { page, context } = await openNoJsPage(browser);
    await signIn(page, "duban");
    await page.goto(`/console/tickets/${ticket.number}`);
    const saved = await page.locator("#public-title").textContent();
    await page.fill("#publicSummary", "长".repeat(201));
    await Promise.all([page.waitForLoadState(), page.click('button[value="summary-save"]')]);
    expect(await page.locator("#err-public-summary").textContent()).toContain("不超过 200 个字");
    expect(await page.locator("#public-title").textContent()).toBe(saved);
    await context.close();
  });

  it("is not offered to roles that may not approve it", async () => {
    const { page, context } = await openNoJsPage(browser);
    await signIn(page, "jiexian");
    await page.goto(`/console/tickets/${ticket.number}`);
    expect(await page.locator("#public-summary").count()).toBe(0);
    await context.close();
  });
});
