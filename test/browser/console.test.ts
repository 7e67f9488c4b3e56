import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { connectForFile, expectNoAxeViolations, openPage, recordCall, signIn } from "./harness";

// Each role signs in to the console (JavaScript off: every page is plain forms) and does its work:
// operator records calls; supervisor accepts, tiers and dispatches; handler returns one as misrouted
// and replies to another; the reporter rates the reply dissatisfied on /track; the supervisor reopens;
// the discipline inspector reveals an identity with a reason and the audit shows it.

async function submit(page: Page, formSelector: string) {
  await Promise.all([
    page.waitForNavigation({ waitUntil: "load" }),
    page.click(`${formSelector} button[type="submit"]`),
  ]);
}

async function act(page: Page, number: string, action: string, fill: (p: Page) => Promise<void> = async () => {}) {
  if (!page.url().endsWith(`/console/tickets/${number}`) && !page.url().includes(`/console/tickets/${number}?`)) {
    await page.goto(`/console/tickets/${number}`);
  }
  await fill(page);
  await submit(page, `#action-${action}`);
}

describe("staff console, role by role", () => {
  let browser: Browser;
  const calls: Record<string, { number: string; receipt: string }> = {};
  connectForFile((b) => {
    browser = b;
  });

  it("refuses a wrong password and a page without signing in", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await page.goto("/console/tickets");
    expect(page.url()).toContain("/console/login?next=%2Fconsole%2Ftickets");
    await page.fill("#username", "duban");
    await page.fill("#password", "wrong-password");
    await submit(page, "form.login");
    await expect(page.locator("#login-error").textContent()).resolves.toContain("用户名或密码不正确");
    await context.close();
  }, 240_000);

  it("operator records calls from the 12317 line", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await signIn(page, "jiexian");
    await page.goto("/console/intake");
    calls.a = await recordCall(page, { title: "危房改造补助未发放（甲）", category: "危房改造" });
    calls.b = await recordCall(page, { title: "道路硬化质量差（乙）", category: "危房改造" });
    calls.c = await recordCall(page, {
      title: "村干部优亲厚友（丙）",
      category: "腐败和作风问题",
      kind: "report",
      realName: { name: "张演示", phone: "13800138000" },
    });
    await page.goto("/console/tickets?status=all");
    await expect(page.locator("table").textContent()).resolves.toContain(calls.a.number);
    await context.close();
  }, 240_000);

  it("supervisor accepts, tiers and dispatches", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await signIn(page, "duban");
    await page.goto("/console/tickets");
    await expect(page.locator("table").textContent()).resolves.toContain(calls.a.number);
    // Discipline cases are not the supervisor's.
    await expect(page.locator("main").textContent()).resolves.not.toContain(calls.c.number);
    for (const n of [calls.a.number, calls.b.number]) {
      await act(page, n, "accept");
      await expect(page.locator("#status").textContent()).resolves.toContain("已受理");
    }
    await act(page, calls.a.number, "retier", async (p) => {
      await p.selectOption("#tier-retier", "III");
      await p.fill("#reason-retier", "涉及多户，提级处理");
    });
    for (const n of [calls.a.number, calls.b.number]) {
      await act(page, n, "dispatch", async (p) => {
        await p.selectOption("#unit-dispatch", { label: "高青县住房城乡建设局" });
      });
      await expect(page.locator("#status").textContent()).resolves.toContain("已派单");
    }
    // An illegal action is not offered; a stale form is refused with the reason.
    await expect(page.locator("#action-accept").count()).resolves.toBe(0);
    await context.close();
  }, 240_000);

  it("handler returns one as misrouted and replies to another", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await signIn(page, "chengban.gaoqing");
    await page.goto("/console/tickets");
    const table = (await page.locator("table").textContent()) ?? "";
    expect(table).toContain(calls.a.number);
    expect(table).toContain(calls.b.number);
    await act(page, calls.b.number, "return", async (p) => {
      await p.fill("#reason-return", "道路硬化属交通部门职责，非本单位");
    });
    await expect(page.locator("#status").textContent()).resolves.toContain("已退单");
    // Empty reply: the error is next to the form, nothing is lost.
    await page.goto(`/console/tickets/${calls.a.number}`);
    await act(page, calls.a.number, "reply", async (p) => {
      await p.fill("#reason-reply", "经核实，补助已于本月 20 日发放到户。");
    });
    await expect(page.locator("#status").textContent()).resolves.toContain("已答复");
    await context.close();
  }, 240_000);

  it("the reporter rates the reply dissatisfied with the receipt", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await page.goto("/track");
    await page.fill("#number", calls.a.number);
    await page.fill("#receipt", calls.a.receipt);
    await Promise.all([
      page.waitForNavigation({ waitUntil: "load" }),
      page.click('form:has(#receipt) button[type="submit"]'),
    ]);
    await page.check('input[name="rating"][value="dissatisfied"]');
    await Promise.all([
      page.waitForNavigation({ waitUntil: "load" }),
      page.click('section[aria-labelledby="rate-h"] button[type="submit"]'),
    ]);
    await expect(page.locator("main").textContent()).resolves.toContain("不满意");
    await context.close();
  }, 240_000);

  it("supervisor reopens the dissatisfied ticket", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await signIn(page, "duban");
    await act(page, calls.a.number, "request_reopen", async (p) => {
      await p.fill("#reason-request_reopen", "反映人不满意，责成重新核实");
    });
    await expect(page.locator("#status").textContent()).resolves.toContain("重办");
    await context.close();
  }, 240_000);

  it("discipline inspector reveals an identity with a reason, and the audit shows it", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await signIn(page, "jijian");
    await page.goto(`/console/tickets/${calls.c.number}`);
    await expect(page.locator("main").textContent()).resolves.not.toContain("张演示");
    await act(page, calls.c.number, "reveal", async (p) => {
      await p.fill("#reason-reveal", "核查问题线索，需当面了解情况");
    });
    await expect(page.locator("#identity-name").textContent()).resolves.toBe("张演示");
    await expect(page.locator("ol.audit").textContent()).resolves.toContain("ticket.identity.reveal");
    await expect(page.locator("ol.audit").textContent()).resolves.toContain("核查问题线索");
    await page.goto("/console/audit?verify=1");
    await expect(page.locator("main").textContent()).resolves.toContain("哈希链完整");
    await expect(page.locator("table").textContent()).resolves.toContain("ticket.identity.reveal");
    await context.close();
  }, 240_000);

  it("every console page has no WCAG 2 A/AA violations", async () => {
    // axe needs JavaScript in the page; the flows above run with it off.
    const { page, context } = await openPage(browser);
    await page.goto("/console/login");
    await expectNoAxeViolations(page);
    await signIn(page, "jijian");
    for (const path of [
      "/console",
      "/console/tickets",
      `/console/tickets/${calls.c.number}`,
      "/console/audit",
      "/console/password",
    ]) {
      await page.goto(path);
      await expectNoAxeViolations(page);
    }
    await context.close();
    const admin = await openPage(browser);
    await signIn(admin.page, "admin");
    await admin.page.goto("/console/users");
    await expectNoAxeViolations(admin.page);
    await admin.context.close();
    const op = await openPage(browser);
    await signIn(op.page, "jiexian");
    await op.page.goto("/console/intake");
    await expectNoAxeViolations(op.page);
    await op.page.goto(`/console/tickets/${calls.a.number}`);
    await expectNoAxeViolations(op.page);
    await op.context.close();
  }, 240_000);

  it("a form without the CSRF token is refused", async () => {
    const { page, context } = await openPage(browser, { javaScriptEnabled: false });
    await signIn(page, "duban");
    const r = await page.request.post(`/console/tickets/${calls.b.number}`, {
      form: { action: "note", reason: "no token" },
      headers: { origin: new URL(page.url()).origin },
    });
    expect(r.status()).toBe(403);
    await context.close();
  }, 240_000);
});
