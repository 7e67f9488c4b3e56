import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { baseURL, browserForFile, DEMO_PASSWORD, expectNoAxeViolationsWithJs, openNoJsPage, signIn } from "./harness";

// The problem ledger as staff use it (JavaScript off: plain forms): a supervisor turns a verified
// ticket into a ledger entry, sign-off without evidence is refused, the handler attaches evidence,
// the supervisor signs it off, and the entry shows in the Q2 view and its CSV.

/** A 高青县 危房改造 ticket, accepted by the city supervisor (through the public and console APIs). */
async function acceptedTicket(): Promise<string> {
  const filed = await fetch(`${baseURL()}/api/tickets`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      kind: "complaint",
      category: "housing",
      district: "高青县",
      title: "危房改造验收后补助未发放",
      description: "常家镇危房改造户验收合格三个月，补助仍未发放。",
      reporter: { anonymous: true },
    }),
  });
  expect(filed.status).toBe(201);
  const { number } = (await filed.json()) as { number: string };
  const session = await fetch(`${baseURL()}/api/console/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "duban", password: DEMO_PASSWORD }),
  });
  const cookie = (session.headers.get("set-cookie") ?? "").split(";")[0];
  const { csrfToken } = (await session.json()) as { csrfToken: string };
  const accepted = await fetch(`${baseURL()}/api/console/tickets/${number}/actions/accept`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, "x-csrf-token": csrfToken },
    body: "{}",
  });
  expect(accepted.status).toBe(200);
  return number;
}

const submit = (page: Page, selector: string) => Promise.all([page.waitForLoadState("load"), page.click(selector)]);

describe("problem ledger", () => {
  let browser: Browser;
  browserForFile((b) => {
    browser = b;
  });

  it("ticket → ledger entry → refused sign-off → evidence → sign-off → Q2 view and CSV", async () => {
    const number = await acceptedTicket();
    const sup = await openNoJsPage(browser);
    await signIn(sup.page, "duban");

    // Create the entry from the ticket; a missing measure is shown next to its field, text kept.
    await sup.page.goto(`/console/ledger/new?ticket=${number}`);
    await expectNoAxeViolationsWithJs(browser, sup.page);
    expect(await sup.page.inputValue("#ticketNumber")).toBe(number);
    await sup.page.fill("#description", "经核实，补助资金滞留镇财政所未拨付到户。");
    await sup.page.fill("#deadline", "2027-05-20");
    await submit(sup.page, 'button:has-text("建立台账")');
    expect(await sup.page.locator("#err-measures").textContent()).toContain("整改措施");
    expect(await sup.page.inputValue("#description")).toBe("经核实，补助资金滞留镇财政所未拨付到户。");
    await sup.page.fill("#measures", "十个工作日内拨付到户，并在村务公开栏公示。");
    await submit(sup.page, 'button:has-text("建立台账")');
    expect(sup.page.url()).toMatch(/\/console\/ledger\/\d+\?created=1$/);
    const entryUrl = new URL(sup.page.url()).pathname;
    expect(await sup.page.locator("h1").textContent()).toBe("危房改造验收后补助未发放");
    expect(await sup.page.locator(".facts").textContent()).toContain("高青县住房城乡建设局");
    expect(await sup.page.locator("#entry-status").textContent()).toContain("待整改");
    await expectNoAxeViolationsWithJs(browser, sup.page);

    // Sign-off without evidence is refused, with the reason.
    await submit(sup.page, 'button:has-text("核实销号")');
    expect(await sup.page.locator("#action-error").textContent()).toContain("尚无整改证据，不能销号");
    expect(await sup.page.locator("#entry-status").textContent()).toContain("待整改");

    // The handler of the responsible unit attaches the evidence.
    const handler = await openNoJsPage(browser);
    await signIn(handler.page, "chengban.gaoqing");
    await handler.page.goto("/console/ledger");
    await submit(handler.page, '#entries tr:has-text("危房改造验收后补助未发放") a');
    expect(new URL(handler.page.url()).pathname).toBe(entryUrl);
    expect(await handler.page.locator('button:has-text("核实销号")').count()).toBe(0);
    await handler.page.fill("#ev-body", "补助 1.2 万元已于本周拨付到户，村务公开栏已公示。");
    await handler.page.fill("#ev-att", "拨付凭证.pdf\n公示照片.jpg");
    await submit(handler.page, 'button:has-text("提交证据")');
    expect(await handler.page.locator("#evidence").textContent()).toContain("拨付凭证.pdf、公示照片.jpg");
    expect(await handler.page.locator("#entry-status").textContent()).toContain("整改中");
    await expectNoAxeViolationsWithJs(browser, handler.page);

    // The supervisor signs it off.
    await sup.page.goto(entryUrl);
    await sup.page.fill("#so-note", "经电话回访核实，已整改到位。");
    await submit(sup.page, 'button:has-text("核实销号")');
    expect(await sup.page.locator("#entry-status").textContent()).toContain("已销号");
    expect(await sup.page.locator(".facts").textContent()).toContain("经电话回访核实，已整改到位。");

    // Q2 问题整改落实季 view of 2027, and its CSV.
    await sup.page.goto("/console/ledger");
    await sup.page.selectOption("#f-q2", "2027");
    await submit(sup.page, 'button:has-text("筛选")');
    expect(await sup.page.locator("h1").textContent()).toContain("2027年第二季度");
    const rows = sup.page.locator("#entries tbody tr");
    expect(await rows.count()).toBeGreaterThanOrEqual(1);
    expect(await sup.page.locator("#entries").textContent()).toContain("危房改造验收后补助未发放");
    expect(await sup.page.locator("#by-unit").textContent()).toContain("高青县住房城乡建设局");
    await expectNoAxeViolationsWithJs(browser, sup.page);
    const csvHref = await sup.page.locator('a:has-text("导出当前视图")').getAttribute("href");
    expect(csvHref).toContain("q2=2027");
    const csv = await sup.context.request.get(csvHref as string);
    expect(csv.status()).toBe(200);
    const bytes = await csv.body();
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString("utf8");
    expect(text).toContain("危房改造验收后补助未发放");
    expect(text).toContain(number);
    expect(text).toContain("已销号");
    // An earlier year's Q2 view does not list it.
    await sup.page.goto("/console/ledger?q2=2025");
    expect(await sup.page.locator("#entries").textContent()).not.toContain("危房改造验收后补助未发放");
    // The refused form posts answer 400/409 on purpose; nothing else may fail.
    expect(sup.errors.filter((e) => !/status of (400|409)/.test(e))).toEqual([]);
    await sup.context.close();
    await handler.context.close();
  }, 240_000);
});
