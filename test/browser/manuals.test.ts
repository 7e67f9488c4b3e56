import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DEMO_HOUSEHOLDS } from "../../seed/money";
import { connectForFile, expectNoAxeViolations, openNoJsPage, openPage, recordCall, signIn } from "./harness";
import { DESKTOP, PHONE, shot } from "./screenshots";

// Every task in the Chinese manuals (docs/zh/), walked the way the manual tells a person to do it,
// with JavaScript off, checking what the manual says they will see — and taking the manual's
// screenshots on the way (DOCS_SCREENSHOTS=1). Citizens on a phone-sized screen, staff on a desktop.

/** Submit a form and wait for the page its POST (or GET) returns. */
async function submit(page: Page, buttonSelector: string) {
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(buttonSelector)]);
}

async function citizenPage(browser: Browser) {
  const o = await openNoJsPage(browser);
  await o.page.setViewportSize(PHONE);
  return o;
}

async function staffPage(browser: Browser, username: string) {
  const o = await openNoJsPage(browser);
  await o.page.setViewportSize(DESKTOP);
  await signIn(o.page, username);
  return o;
}

async function ticketAction(
  page: Page,
  number: string,
  action: string,
  fill: (p: Page) => Promise<void> = async () => {},
) {
  if (!new URL(page.url()).pathname.endsWith(`/console/tickets/${number}`))
    await page.goto(`/console/tickets/${number}`);
  await fill(page);
  await submit(page, `#action-${action} button[type="submit"]`);
}

describe("市民指南 (docs/zh/citizen.md)", () => {
  let browser: Browser;
  const filed: { number: string; receipt: string } = { number: "", receipt: "" };
  connectForFile((b) => {
    browser = b;
  });

  it("the footer links the guide, and the guide is served with its screenshots", async () => {
    const { page, context } = await citizenPage(browser);
    await page.goto("/");
    await submit(page, 'footer a[href="/help"]');
    expect(await page.locator("h1").textContent()).toBe("市民指南");
    for (const id of ["查资金", "看公示", "提异议", "在线举报", "凭查询码跟进", "核对本人补贴", "验证回执"]) {
      expect(await page.locator(`h2[id="${id}"]`).count()).toBe(1);
    }
    // A link to another Chinese page of docs/zh/ opens it on the site.
    expect(await page.locator('article.manual a:has-text("登记证明：是什么")').getAttribute("href")).toBe(
      "/help/proof",
    );
    expect((await page.request.get("/help/proof")).status()).toBe(200);
    // Every screenshot the guide shows is served.
    for (const src of await page
      .locator("article.manual img")
      .evaluateAll((imgs) => imgs.map((i) => i.getAttribute("src")))) {
      expect((await page.request.get(src ?? "")).status()).toBe(200);
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
    const withJs = await openPage(browser);
    await withJs.page.goto("/help");
    await expectNoAxeViolations(withJs.page);
    await withJs.context.close();
  }, 240_000);

  it("查资金: filter by district, drill down, open one allocation and its history, download the view", async () => {
    const { page, context } = await citizenPage(browser);
    await page.goto("/");
    await submit(page, 'nav.site-nav a[href="/funds"]');
    await page.selectOption("#f-district", "高青县");
    await submit(page, 'form.filters button[type="submit"]');
    expect(await page.locator('[data-testid="total-count"]').textContent()).toMatch(/^\d+$/);
    expect(await page.locator(".totals").textContent()).toMatch(/高青县.*共 \d+ 条，合计\s*[\d,.]+ 元/s);
    await shot(page.locator(".totals"), "citizen-funds-totals");
    // Drill down: the towns of the district are links.
    await submit(page, "ul.drill li a >> nth=0");
    expect(new URL(page.url()).searchParams.get("town")).toBeTruthy();
    // One allocation and its change history.
    await submit(page, "table.funds-table tbody a >> nth=0");
    expect(new URL(page.url()).pathname).toMatch(/^\/funds\/\d+$/);
    expect(await page.locator("h2#history").textContent()).toContain("变更记录");
    await shot(page, "citizen-funds-detail");
    // The view as CSV.
    await page.goto("/funds?district=高青县");
    const csvHref = await page.locator('.downloads a:has-text("CSV")').getAttribute("href");
    const csv = await page.request.get(csvHref ?? "");
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    // A filter that cannot be right is explained, not a crash.
    await page.goto("/funds?year=1990");
    expect(await page.locator("#f-error").textContent()).toContain("请修改筛选条件后重新查询");
    await shot(page.locator("#f-error"), "citizen-funds-error");
    await context.close();
  }, 240_000);

  it("看公示 and 提异议: a notice in its period, its countdown, and an objection filed from it", async () => {
    const { page, context } = await citizenPage(browser);
    await page.goto("/notices");
    await page.selectOption("#n-state", "in_period");
    await submit(page, 'form.filters button[type="submit"]');
    await submit(page, ".notice-list h2 a >> nth=0");
    expect(await page.locator('[data-testid="countdown"]').textContent()).toMatch(/公示期 .+ 至 .+，剩余 \d+ 天/);
    expect(await page.locator("#objections-h").textContent()).toContain("异议情况");
    await shot(page, "citizen-notice");
    const noticeTitle = (await page.locator("h1").textContent()) ?? "";

    await submit(page, 'a:has-text("对此公示有异议？提出异议")');
    expect(await page.locator(".notice-box").first().textContent()).toContain(`对公示“${noticeTitle}”提出异议`);
    expect(await page.isChecked('input[name="kind"][value="objection"]')).toBe(true);
    await page.selectOption("#category", { label: "产业扶贫" });
    await page.fill("#title", "公示的受益户名单有误");
    await page.fill("#description", "公示的受益户中有两户已经搬离本村多年。");
    await shot(page, "citizen-objection-form");
    await submit(page, "#report-submit");
    expect(await page.locator("h1").textContent()).toContain("提交成功");
    expect(await page.locator("#ticket-number").textContent()).toMatch(/^ZB-\d{4}-\d{6,}$/);

    // After the period an objection is no longer possible, and the form says so.
    const ended = (await (await page.request.get("/api/notices?state=ended")).json()).items[0];
    await page.goto(`/notices/${ended.id}`);
    expect(await page.locator("main").textContent()).toContain(`公示期 ${ended.periodStart} 至 ${ended.periodEnd}`);
    expect(await page.locator('a:has-text("提出异议")').count()).toBe(0);
    await page.goto(`/report?kind=objection&noticeId=${ended.id}`);
    expect(await page.locator(".notice-box").first().textContent()).toContain("期满，不能再提出异议");
    await context.close();
  }, 240_000);

  it("在线举报: errors next to the fields keep what was typed; the result shows the number and the receipt once", async () => {
    const { page, context } = await citizenPage(browser);
    await page.goto("/report");
    await page.check('input[name="kind"][value="complaint"]');
    await page.fill("#title", "危房改造补助没有发放");
    await submit(page, "#report-submit");
    expect(await page.locator("#description-error").textContent()).toMatch(/内容/);
    expect(await page.locator("#district-error").textContent()).toMatch(/区县/);
    expect(await page.inputValue("#title")).toBe("危房改造补助没有发放");
    await shot(page, "citizen-report-errors");
    await page.selectOption("#category", { label: "危房改造" });
    await page.fill("#description", "常家镇一户危房改造补助至今没有发放。");
    await page.selectOption("#district", "高青县");
    await page.check("#anonymous-yes");
    await submit(page, "#report-submit");
    expect(await page.locator("h1").textContent()).toContain("提交成功");
    expect(await page.locator("main").textContent()).toContain("请妥善保存查询码");
    filed.number = ((await page.locator("#ticket-number").textContent()) ?? "").trim();
    filed.receipt = ((await page.locator("#ticket-receipt").textContent()) ?? "").trim();
    expect(filed.receipt).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);
    expect(page.url()).not.toContain(filed.receipt);
    await shot(page, "citizen-report-done");
    await context.close();
  }, 240_000);

  it("凭查询码跟进: a wrong receipt is refused; look up with number and receipt, add information", async () => {
    const { page, context } = await citizenPage(browser);
    await page.goto("/track");
    await page.fill("#number", filed.number);
    await page.fill("#receipt", "AAAA-BBBB-CCCC-DDDD-EEEE");
    await submit(page, "#track-submit");
    expect(await page.locator("#lookup-error").textContent()).toContain("工单编号或查询码不正确");
    await shot(page.locator("form.stack"), "citizen-track-error");

    // Typing is forgiving: lower case and without dashes is the same code.
    await page.fill("#number", filed.number);
    await page.fill("#receipt", filed.receipt.toLowerCase().replaceAll("-", ""));
    await submit(page, "#track-submit");
    expect(await page.locator("h2#summary-h").textContent()).toContain(filed.number);
    expect(await page.locator("#ticket-status").textContent()).toContain("已收到");
    await shot(page, "citizen-track");
    await page.fill("#body", "补充：补助申请表编号 2026-017。");
    await submit(page, "#message-submit");
    expect(await page.locator('[role="status"]').textContent()).toContain("已收到您补充的信息");

    await context.close();
  }, 240_000);

  it("核对本人补贴: the household head's ID and name show this household's payments; 没收到这笔钱 files a complaint", async () => {
    const { page, context } = await citizenPage(browser);
    const me = DEMO_HOUSEHOLDS[3];
    await page.goto("/");
    await submit(page, 'nav.site-nav a[href="/payments/check"]');
    expect(await page.locator("h1").textContent()).toBe("查询本人补贴");
    // A name that does not go with the ID number: the same answer as an unknown number.
    await page.fill("#idNumber", me.idNumber);
    await page.fill("#name", "刘长江");
    await submit(page, "#check-submit");
    expect(await page.locator("#check-form").textContent()).toContain("身份证号码与户主姓名不匹配，或没有查到登记信息");
    await page.fill("#idNumber", me.idNumber);
    await page.fill("#name", me.name);
    await shot(page, "citizen-payments-form");
    await submit(page, "#check-submit");
    const result = page.locator("#own-result");
    expect(await result.textContent()).toContain("本户的补贴发放记录");
    expect(await result.textContent()).toContain("刘*河");
    expect(await result.textContent()).toContain("家庭人口 5 人");
    expect(await result.textContent()).toMatch(/25,000\.00 元 · 已发放/);
    expect(page.url()).not.toContain(me.idNumber);
    expect(await page.content()).not.toContain(me.idNumber);
    await shot(result, "citizen-payments-result");
    const first = page.locator(".payment").first();
    await first.locator("summary").click();
    await first.locator("textarea").fill("一直没有收到这笔补助");
    await submit(page, '.payment >> nth=0 >> button:has-text("没收到这笔钱")');
    expect(await page.locator("#report-filed").textContent()).toContain("已向 12317 反映“没收到这笔钱”");
    expect(await page.locator("#ticket-number").textContent()).toMatch(/^ZB-\d{4}-\d{6,}$/);
    await shot(page.locator("#report-filed"), "citizen-payments-reported");
    await context.close();
  }, 240_000);

  it("验证回执: download the proof of filing, check it on /verify without JavaScript, with its content too", async () => {
    const { page, context } = await citizenPage(browser);
    await page.goto("/report");
    await page.check('input[name="kind"][value="report"]');
    await page.selectOption("#category", { label: "危房改造" });
    await page.fill("#title", "危房改造补助被截留");
    await page.fill("#description", "村里把危房改造补助截留了一部分，请核实。");
    await page.selectOption("#district", "高青县");
    await submit(page, "#report-submit");
    const number = ((await page.locator("#ticket-number").textContent()) ?? "").trim();
    const receipt = ((await page.locator("#ticket-receipt").textContent()) ?? "").trim();
    // The filing reaches the log within seconds.
    await expect
      .poll(
        async () =>
          (await page.request.get(`/api/tickets/${number}/proof`, { headers: { "X-Receipt": receipt } })).status(),
        { timeout: 30_000, interval: 500 },
      )
      .toBe(200);
    await shot(page.locator("form:has(#download-proof)"), "citizen-proof-download");
    const download = async (selector: string) => {
      const [file] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
      return readFileSync((await file.path()) as string, "utf8");
    };
    const proof = await download("#download-proof");
    const opening = await download("#download-opening");
    expect(proof.split("\n")[0]).toBe("c2sp.org/tlog-proof@v1");

    await submit(page, 'main a[href="/verify"]');
    expect(await page.locator("h1").textContent()).toBe("核验登记证明");
    await page.fill("#proof", proof);
    await page.click('details summary:has-text("同时核对内容")');
    await page.fill("#opening", opening);
    await submit(page, "#verify-submit");
    expect(await page.locator("#verdict").textContent()).toContain("证明有效");
    expect(await page.locator("#checks").textContent()).toContain("内容核对一致");
    expect(await page.locator("#verified-where").textContent()).toContain("服务器");
    await shot(page.locator("#verify-result"), "citizen-verify-ok");

    // Not a proof at all: said so, and what was pasted is kept.
    await page.fill("#opening", "");
    await page.fill("#proof", proof.replace("c2sp.org/tlog-proof@v1", "not a proof"));
    await submit(page, "#verify-submit");
    expect(await page.locator("#verdict").textContent()).toContain("证明无效");
    expect(await page.locator("#verdict").textContent()).toContain("格式不对");
    expect(await page.inputValue("#proof")).toContain("not a proof");
    // Nothing pasted: the error is next to the field.
    await page.fill("#proof", "");
    await submit(page, "#verify-submit");
    expect(await page.locator("#proof-error").textContent()).toContain("请粘贴证明内容");
    await context.close();
  }, 240_000);
});

describe("操作手册: each staff role's tasks (docs/zh/<role>.md)", () => {
  let browser: Browser;
  const t: Record<string, { number: string; receipt: string }> = {};
  connectForFile((b) => {
    browser = b;
  });

  it("登录工作台: a wrong password is refused; the console's help link opens the role's manual", async () => {
    const { page, context } = await openNoJsPage(browser);
    await page.setViewportSize(DESKTOP);
    await page.goto("/console/login");
    await page.fill("#username", "jiexian");
    await page.fill("#password", "wrong-password");
    await submit(page, 'form.login button[type="submit"]');
    expect(await page.locator("#login-error").textContent()).toContain("用户名或密码不正确");
    await shot(page, "staff-login-error");
    await signIn(page, "jiexian");
    expect(await page.locator("h1").textContent()).toBe("工作台");
    await shot(page, "staff-console-home");
    await submit(page, 'nav.console-nav a:has-text("帮助")');
    expect(new URL(page.url()).pathname).toBe("/help/operator");
    expect(await page.locator("h1").textContent()).toBe("接线员操作手册");
    expect(await page.locator('h2[id="登录工作台"]').count()).toBe(1);
    // 退出登录: back to the login page, and the console asks to sign in again.
    await page.goto("/console");
    await submit(page, 'form.logout button:has-text("退出登录")');
    expect(new URL(page.url()).pathname).toBe("/console/login");
    await page.goto("/console/tickets");
    expect(new URL(page.url()).pathname).toBe("/console/login");
    await context.close();
  }, 240_000);

  it("接线员: records a call (errors kept next to the fields), tells the caller the receipt, finds it in the queue", async () => {
    const { page, context } = await staffPage(browser, "jiexian");
    await page.goto("/console/intake");
    await page.fill("#title", "只记了标题");
    await submit(page, 'form.intake button[type="submit"]');
    expect(await page.locator("main").textContent()).toContain("请按提示修改后再提交");
    expect(await page.inputValue("#title")).toBe("只记了标题");
    t.complaint = await recordCall(page, { title: "危房改造补助未发放", category: "危房改造", kind: "complaint" });
    await shot(page.locator('section[aria-labelledby="done-h"]'), "operator-intake-done");
    t.misrouted = await recordCall(page, { title: "道路硬化质量差", category: "危房改造", kind: "complaint" });
    t.discipline = await recordCall(page, {
      title: "村干部优亲厚友",
      category: "腐败和作风问题",
      kind: "report",
      realName: { name: "张演示", phone: "13800138000" },
    });
    // The help link on the intake page opens the intake section.
    const help = await page.locator('nav.console-nav a:has-text("帮助")').getAttribute("href");
    expect(decodeURIComponent(help ?? "")).toBe("/help/operator#登记来电");
    await page.goto("/console/tickets?status=all");
    expect(await page.locator("table").textContent()).toContain(t.complaint.number);
    await shot(page, "operator-queue");
    await context.close();
  }, 240_000);

  it("督办: accepts, re-tiers and dispatches; an action that is no longer possible is not offered", async () => {
    const { page, context } = await staffPage(browser, "duban");
    await page.goto("/console/tickets");
    expect(await page.locator("table").textContent()).toContain(t.complaint.number);
    // Discipline cases are not the supervisor's.
    expect(await page.locator("main").textContent()).not.toContain(t.discipline.number);
    await page.goto("/console/tickets?overdue=1");
    expect(await page.locator("h1").textContent()).toContain("工单队列");
    await shot(page, "supervisor-queue");
    // A form that is no longer possible (someone else acted first) is refused with the reason.
    const stale = await context.newPage();
    await stale.goto(`/console/tickets/${t.misrouted.number}`);
    for (const n of [t.complaint.number, t.misrouted.number]) {
      await ticketAction(page, n, "accept");
      expect(await page.locator("#status").textContent()).toContain("已受理");
    }
    await submit(stale, '#action-accept button[type="submit"]');
    expect(await stale.locator('main [role="alert"]').first().textContent()).toBeTruthy();
    expect(await stale.locator("#status").textContent()).toContain("已受理");
    await stale.close();
    await ticketAction(page, t.complaint.number, "retier", async (p) => {
      await p.selectOption("#tier-retier", "III");
      await p.fill("#reason-retier", "涉及多户，提级处理");
    });
    await page.goto(`/console/tickets/${t.complaint.number}`);
    await page.selectOption("#unit-dispatch", { label: "高青县住房城乡建设局" });
    await shot(page.locator("#action-dispatch"), "supervisor-dispatch");
    await ticketAction(page, t.complaint.number, "dispatch");
    expect(await page.locator("#status").textContent()).toContain("已派单");
    expect(await page.locator('main [role="status"]').textContent()).toContain("已完成：派单");
    await ticketAction(page, t.misrouted.number, "dispatch", async (p) => {
      await p.selectOption("#unit-dispatch", { label: "高青县住房城乡建设局" });
    });
    expect(await page.locator("#action-accept").count()).toBe(0);
    const help = await page.locator('nav.console-nav a:has-text("帮助")').getAttribute("href");
    expect(decodeURIComponent(help ?? "")).toBe("/help/supervisor#受理和派单");
    await context.close();
  }, 240_000);

  it("承办人: returns a misrouted ticket, signs for and replies to another", async () => {
    const { page, context } = await staffPage(browser, "chengban.gaoqing");
    await page.goto("/console/tickets");
    const table = (await page.locator("table").textContent()) ?? "";
    expect(table).toContain(t.complaint.number);
    expect(table).toContain(t.misrouted.number);
    await shot(page, "handler-queue");
    await ticketAction(page, t.misrouted.number, "return", async (p) => {
      await p.fill("#reason-return", "道路硬化属交通部门职责，非本单位");
    });
    expect(await page.locator("#status").textContent()).toContain("已退单");
    await ticketAction(page, t.complaint.number, "start");
    expect(await page.locator("#status").textContent()).toContain("办理中");
    await page.fill("#reason-reply", "经核实，补助已于本月 20 日发放到户。");
    await shot(page.locator("#action-reply"), "handler-reply");
    await ticketAction(page, t.complaint.number, "reply");
    expect(await page.locator("#status").textContent()).toContain("已答复");
    const help = await page.locator('nav.console-nav a:has-text("帮助")').getAttribute("href");
    expect(decodeURIComponent(help ?? "")).toBe("/help/handler#签收和答复");
    await context.close();
  }, 240_000);

  it("市民 rates the reply; 督办 has a dissatisfied ticket redone", async () => {
    const { page, context } = await citizenPage(browser);
    await page.goto("/track");
    await page.fill("#number", t.complaint.number);
    await page.fill("#receipt", t.complaint.receipt);
    await submit(page, "#track-submit");
    expect(await page.locator("#reply-h").textContent()).toContain("答复");
    await page.check('input[name="rating"][value="dissatisfied"]');
    await shot(page.locator('section[aria-labelledby="rate-h"]'), "citizen-rate");
    await submit(page, 'section[aria-labelledby="rate-h"] button[type="submit"]');
    expect(await page.locator("main").textContent()).toContain("不满意");
    await context.close();

    const s = await staffPage(browser, "duban");
    await ticketAction(s.page, t.complaint.number, "request_reopen", async (p) => {
      await p.fill("#reason-request_reopen", "反映人不满意，责成重新核实");
    });
    expect(await s.page.locator("#status").textContent()).toContain("重办");
    await s.context.close();
  }, 240_000);

  it("纪检监察: sees the discipline case, reveals the reporter with a reason, and checks the audit chain", async () => {
    const { page, context } = await staffPage(browser, "jijian");
    await page.goto("/console/tickets");
    expect(await page.locator("table").textContent()).toContain(t.discipline.number);
    await page.goto(`/console/tickets/${t.discipline.number}`);
    expect(await page.locator("main").textContent()).not.toContain("张演示");
    await page.fill("#reason-reveal", "核查问题线索，需当面了解情况");
    await shot(page.locator("#action-reveal"), "inspector-reveal");
    await ticketAction(page, t.discipline.number, "reveal");
    expect(await page.locator("#identity-name").textContent()).toBe("张演示");
    expect(await page.locator("ol.audit").textContent()).toContain("ticket.identity.reveal");
    await page.goto("/console/audit");
    await submit(page, 'button:has-text("校验哈希链")');
    expect(await page.locator("main").textContent()).toContain("哈希链完整");
    await shot(page, "inspector-audit");
    const help = await page.locator('nav.console-nav a:has-text("帮助")').getAttribute("href");
    expect(decodeURIComponent(help ?? "")).toBe("/help/inspector#核验审计日志");
    await context.close();
  }, 240_000);

  it("信息发布: publishes a notice; a fund CSV is checked row by row before anything is written", async () => {
    const { page, context } = await staffPage(browser, "fabu");
    await submit(page, 'nav.console-nav a:has-text("发布工具")');
    await submit(page, 'main a:has-text("新建公示")');
    await page.fill("#title", "常家镇扶贫车间建设项目公示");
    await page.selectOption("#district", "高青县");
    await page.fill("#projectName", "常家镇扶贫车间");
    await page.fill("#funding", "市级财政专项扶贫资金 50 万元");
    await page.fill("#supervisionPhone", "12317");
    await shot(page, "publisher-notice-new");
    await submit(page, 'button:has-text("立即发布")');
    expect(page.url()).toMatch(/\/console\/publish\/notices\/\d+\?done=published$/);
    expect(await page.locator("#notice-state").textContent()).toContain("公示中");
    const help = await page.locator('nav.console-nav a:has-text("帮助")').getAttribute("href");
    expect(decodeURIComponent(help ?? "")).toBe("/help/publisher#发布项目公示");

    await page.goto("/console/publish");
    await submit(page, 'main a:has-text("导入资金分配（CSV）")');
    const header = "年度,资金级次,资金名称,文号,区县,镇办,村,项目,类别,金额,用途";
    const row = (n: number, amount: string) =>
      `2026,市,操作手册演示资金,淄财农〔2026〕8${n}号,高青县,,,,产业扶贫,${amount},扶贫车间建设`;
    const upload = async (rows: string[]) => {
      await page.setInputFiles("#file", {
        name: "资金分配.csv",
        mimeType: "text/csv",
        buffer: Buffer.from([header, ...rows].join("\r\n"), "utf8"),
      });
      await submit(page, 'button:has-text("上传并检查")');
    };
    await upload([row(1, "120000.00"), row(2, "十二万")]);
    expect(await page.locator("#import-report").textContent()).toContain("没有写入任何数据");
    await shot(page.locator("#import-report"), "publisher-import-report");
    await upload([row(1, "120000.00"), row(2, "120000.00")]);
    expect(await page.locator("#import-preview").textContent()).toContain("确认前不会写入任何数据");
    await submit(page, 'button:has-text("确认导入 2 条")');
    expect(await page.locator("#import-done").textContent()).toContain("已导入 2 条");
    await context.close();
  }, 240_000);

  it("管理员: creates an account (a weak password is refused next to its field) and checks the audit chain", async () => {
    const { page, context } = await staffPage(browser, "admin");
    await page.goto("/console/users");
    await page.fill("#username", "chengban.shouce");
    await page.fill("#displayName", "手册演示");
    await page.selectOption("#role", "handler");
    await page.fill("#password", "1234567890");
    await submit(page, 'form.create button[type="submit"]');
    expect(await page.locator("#err-password").textContent()).toBeTruthy();
    expect(await page.inputValue("#username")).toBe("chengban.shouce");
    await page.fill("#password", "Shouce-demo-2026");
    await shot(page.locator("form.create"), "admin-user-new");
    await submit(page, 'form.create button[type="submit"]');
    expect(await page.locator('[role="status"]').textContent()).toContain("账号已创建");
    expect(await page.locator("table").textContent()).toContain("chengban.shouce");
    const help = await page.locator('nav.console-nav a:has-text("帮助")').getAttribute("href");
    expect(decodeURIComponent(help ?? "")).toBe("/help/admin#新建账号");
    await page.goto("/console/audit");
    await submit(page, 'button:has-text("校验哈希链")');
    expect(await page.locator("main").textContent()).toContain("哈希链完整");
    await context.close();
  }, 240_000);

  it("every manual is served, works on a phone, and has no WCAG 2 A/AA violations", async () => {
    const { page, context } = await openPage(browser);
    for (const role of ["operator", "handler", "supervisor", "inspector", "publisher", "admin"]) {
      await page.setViewportSize({ width: 320, height: 640 });
      const res = await page.goto(`/help/${role}`);
      expect(res?.status()).toBe(200);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await expectNoAxeViolations(page);
    }
    expect((await page.goto("/help/nobody"))?.status()).toBe(404);
    await context.close();
  }, 240_000);
});
