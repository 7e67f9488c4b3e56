import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { idCheckChar, maskName } from "../../domain/money/privacy";
import { baseURL, browserForFile, expectNoAxeViolationsWithJs, openNoJsPage, signIn } from "./harness";

// The console pages of the money trail with JavaScript off: a publisher records a disbursement on an
// allocation, is refused (with the amount still allowed) when a second one would exceed it, corrects
// the first with a reason (the public /funds/{id} trail marks it corrected; the version keeps the
// reason), registers a household (name and ID number never shown back), pays it out of the
// disbursement and marks the payment 退回; the household then exits. Each page has no WCAG violation
// and no horizontal scroll at 320 px.

const submit = (page: Page, selector: string) => Promise.all([page.waitForLoadState("load"), page.click(selector)]);
const idn = (first17: string) => `${first17}${idCheckChar(first17)}`;

interface TrailAnswer {
  remainder: string;
  disbursements: { id: number; amount: string; version: number }[];
}

/** An active allocation with at least 5,000 元 not yet disbursed, and that remainder. */
async function roomyAllocation(): Promise<{ id: number; remainder: number }> {
  const list = await (await fetch(`${baseURL()}/api/funds?pageSize=50`)).json();
  for (const a of list.items as { id: number }[]) {
    const trail = (await (await fetch(`${baseURL()}/api/funds/${a.id}/trail`)).json()) as TrailAnswer;
    if (Number(trail.remainder) >= 5000) return { id: a.id, remainder: Number(trail.remainder) };
  }
  throw new Error("no allocation with 5,000 元 left to disburse in the demo data");
}

async function noOverflowAt320(page: Page) {
  await page.setViewportSize({ width: 320, height: 640 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe("money console pages", () => {
  let browser: Browser;
  browserForFile((b) => {
    browser = b;
  });

  it("disbursement: add, refused over the allocation, corrected with a reason; household, payment, 退回, 退出", async () => {
    const { id: allocationId, remainder } = await roomyAllocation();
    const { page, context, errors } = await openNoJsPage(browser);
    await signIn(page, "fabu");
    await page.goto(`/console/publish/funds/${allocationId}`);
    await submit(page, 'a:has-text("拨付和到户发放")');
    expect(await page.locator("h1").textContent()).toContain("拨付");
    await expectNoAxeViolationsWithJs(browser, page);
    await noOverflowAt320(page);

    // A disbursement of 1,000 元.
    await page.fill("#disbursedOn", "2026-04-01");
    await page.fill("#amount", "1000");
    await page.fill("#voucherNo", "浏览器-拨-001");
    await page.selectOption("#recipientKind", "village");
    await page.fill("#recipient", "测试村村委会");
    await submit(page, 'button:has-text("登记拨付")');
    const created = (await page.locator("[role=status]").textContent()) ?? "";
    expect(created).toContain("已登记第");
    const disbursementId = Number(/第 (\d+) 号/.exec(created)?.[1]);
    expect(disbursementId).toBeGreaterThan(0);
    expect(await page.locator("#disbursements").textContent()).toContain("浏览器-拨-001");

    // One more than what is left: refused, with a readable summary, nothing written.
    const tooMuch = (remainder - 1000 + 0.01).toFixed(2);
    await page.fill("#disbursedOn", "2026-04-02");
    await page.fill("#amount", tooMuch);
    await page.fill("#voucherNo", "浏览器-拨-002");
    await page.fill("#recipient", "测试村村委会");
    const [refused] = await Promise.all([page.waitForNavigation(), page.click('button:has-text("登记拨付")')]);
    expect(refused?.status()).toBe(409);
    const summary = (await page.locator(".error-summary").textContent()) ?? "";
    expect(summary).toContain("拨付金额超过资金分配额");
    expect(summary).toContain("最多还可拨付");
    expect(await page.locator("#amount").inputValue()).toBe(tooMuch);
    expect(await page.locator("#disbursements").textContent()).not.toContain("浏览器-拨-002");
    await expectNoAxeViolationsWithJs(browser, page);

    // Corrected with a reason: a second version; the public trail marks it corrected.
    await page.goto(`/console/publish/funds/${allocationId}/disbursements`);
    const row = page.locator("#disbursements tr", { hasText: "浏览器-拨-001" });
    await row.locator("summary").click();
    await row.locator('input[name="amount"]').fill("1200");
    await row.locator('input[name="reason"]').fill("凭证金额录入有误，按原始凭证更正");
    await submit(page, '#disbursements tr:has-text("浏览器-拨-001") button:has-text("保存更正")');
    expect(await page.locator("[role=status]").textContent()).toContain(`已更正第 ${disbursementId} 号拨付`);
    const answer = await page.request.get(`/api/disbursements/${disbursementId}`);
    const disbursement = await answer.json();
    expect(disbursement.amount).toBe("1200.00");
    expect(disbursement.versions[0]).toMatchObject({
      version: 2,
      kind: "correction",
      reason: "凭证金额录入有误，按原始凭证更正",
    });
    const publicPage = await context.newPage();
    await publicPage.goto(`/funds/${allocationId}`);
    const publicRow = publicPage.locator("#disbursements tr", { hasText: "浏览器-拨-001" });
    expect(await publicRow.textContent()).toContain("（已更正）");
    expect(await publicRow.textContent()).toContain("1,200.00");
    await publicPage.close();

    // A household in the first village of 高青县: name and number never shown back.
    const person = { name: "控制台丙", id: idn("37032219910214333") };
    await page.goto("/console/publish");
    await submit(page, 'a[href="/console/publish/households"]');
    await submit(page, '#districts a:has-text("高青县")');
    await submit(page, "#towns-h ~ ul a >> nth=0");
    expect(await page.locator("h1").textContent()).toContain("户籍登记：");
    await expectNoAxeViolationsWithJs(browser, page);
    await noOverflowAt320(page);
    await page.fill("#name", person.name);
    await page.fill("#idNumber", person.id);
    await page.fill("#members", "3");
    await page.fill("#identifiedOn", "2016-05-01");
    await submit(page, 'button:has-text("登记") >> nth=-1');
    const registered = (await page.locator("[role=status]").textContent()) ?? "";
    const householdId = Number(/户编号 (\d+)/.exec(registered)?.[1]);
    expect(householdId).toBeGreaterThan(0);
    const register = page.locator("#households tr", { hasText: maskName(person.name) });
    expect(await register.textContent()).toContain(`${person.id.slice(0, 4)}**********${person.id.slice(-4)}`);
    let html = await page.content();
    expect(html).not.toContain(person.name);
    expect(html).not.toContain(person.id);
    // Registering the same number again is refused on the field, and the number is not echoed.
    await page.fill("#name", person.name);
    await page.fill("#idNumber", person.id);
    await page.fill("#members", "3");
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("登记") >> nth=-1')]);
    expect(await page.locator(".error-summary").textContent()).toContain("已登记");
    html = await page.content();
    expect(html).not.toContain(person.id);
    expect(html).not.toContain(person.name);
    const registerUrl = new URL(page.url()).pathname + new URL(page.url()).search;

    // A payment to it out of the disbursement, then marked 退回.
    await page.goto(`/console/publish/funds/${allocationId}/disbursements`);
    await submit(page, '#disbursements tr:has-text("浏览器-拨-001") a:has-text("到户发放")');
    expect(await page.locator("h1").textContent()).toContain(`第 ${disbursementId} 号拨付`);
    await page.fill("#householdId", String(householdId));
    await page.selectOption("#programme", "dividend");
    await page.fill("#period", "2026");
    await page.fill("#amount", "300");
    await page.fill("#paidOn", "2026-04-05");
    await submit(page, 'button:has-text("登记发放")');
    const paid = (await page.locator("[role=status]").textContent()) ?? "";
    expect(paid).toContain("已登记第");
    const paymentRow = page.locator("#payments tr", { hasText: maskName(person.name) });
    expect(await paymentRow.textContent()).toContain("已发放");
    // The same household, programme and period again: refused.
    await page.fill("#householdId", String(householdId));
    await page.selectOption("#programme", "dividend");
    await page.fill("#period", "2026");
    await page.fill("#amount", "300");
    await page.fill("#paidOn", "2026-04-05");
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("登记发放")')]);
    expect(await page.locator(".error-summary").textContent()).toContain("已经发放过");
    await page.goto(`/console/publish/disbursements/${disbursementId}`);
    await paymentRow.locator('summary:has-text("标记退回")').click();
    await paymentRow.locator('input[name="returnReason"]').fill("一卡通账户已销户");
    await submit(page, `#payments tr:has-text("${maskName(person.name)}") button:has-text("标记退回")`);
    expect(await page.locator("[role=status]").textContent()).toContain("已标记为退回");
    expect(await paymentRow.textContent()).toContain("退回：一卡通账户已销户");
    expect(await page.content()).not.toContain(person.id);
    await expectNoAxeViolationsWithJs(browser, page);
    await noOverflowAt320(page);

    // The household exits.
    await page.goto(registerUrl);
    const exitRow = page.locator("#households tr", { hasText: maskName(person.name) });
    await exitRow.locator("summary").click();
    await exitRow.locator('input[name="exitedOn"]').fill("2026-06-30");
    await submit(page, `#households tr:has-text("${maskName(person.name)}") button:has-text("登记退出")`);
    expect(await page.locator("[role=status]").textContent()).toContain(`户编号 ${householdId} 已登记退出`);
    expect(await exitRow.textContent()).toContain("已退出");
    expect(await exitRow.textContent()).toContain("2026-06-30");

    // The refusals are answered with 409 on purpose; nothing else may fail.
    expect(errors.filter((e) => !e.includes("status of 409"))).toEqual([]);
    await context.close();
  }, 240_000);
});
