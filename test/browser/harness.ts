import AxeBuilder from "@axe-core/playwright";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject } from "vitest";
import { DEMO_PASSWORD } from "../../seed/console";

export const baseURL = () => inject("baseURL");

/**
 * The run's one Chromium (started by global-setup.ts, see chromium.ts), through a connection of this
 * file's own: closing it closes the file's contexts, not the browser.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.connectOverCDP(inject("chromiumEndpoint"));
}

/** This file's connection to the run's Chromium: opened before its tests, closed after them. */
export function connectForFile(use: (browser: Browser) => void) {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
    use(browser);
  });
  afterAll(async () => {
    await browser?.close();
  });
}

/**
 * This file's browser, for the tests that need the demo data: connected once the first request that
 * needs the database (which waits for migrations and the demo data) has answered, closed after the file.
 */
export function browserForFile(use: (browser: Browser) => void) {
  let browser: Browser | undefined;
  beforeAll(async () => {
    expect((await fetch(`${baseURL()}/api/stats/hotline`)).status).toBe(200);
    browser = await launchBrowser();
    use(browser);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
  }, 240_000);
}

/** A page that records console errors and failed same-origin requests. */
export async function openPage(browser: Browser, opts: { javaScriptEnabled?: boolean } = {}) {
  const context: BrowserContext = await browser.newContext({
    baseURL: baseURL(),
    javaScriptEnabled: opts.javaScriptEnabled ?? true,
    locale: "zh-CN",
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(err.message));
  return { page, context, errors };
}

/** WCAG 2 A/AA violations on the current page must be none. */
export async function expectNoAxeViolations(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const summary = result.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`,
  );
  expect(summary).toEqual([]);
}

/**
 * WCAG check of a page's current URL when that page has JavaScript off: Chromium closes itself if axe
 * runs there, so axe looks at the same server-rendered page (same cookies) in a context with JS on.
 */
export async function expectNoAxeViolationsWithJs(browser: Browser, page: Page) {
  const ctx = await browser.newContext({ baseURL: baseURL(), locale: "zh-CN" });
  await ctx.addCookies(await page.context().cookies());
  const p = await ctx.newPage();
  p.setDefaultTimeout(30_000);
  await p.goto(page.url());
  await expectNoAxeViolations(p);
  await ctx.close();
}

/** A page with JavaScript off that fails a step after 30 s instead of waiting for ever. */
export async function openNoJsPage(browser: Browser) {
  const o = await openPage(browser, { javaScriptEnabled: false });
  o.page.setDefaultTimeout(30_000);
  return o;
}

export { DEMO_PASSWORD };

/** Sign in to the console as a demo account. */
export async function signIn(page: Page, username: string) {
  await page.goto("/console/login");
  await page.fill("#username", username);
  await page.fill("#password", DEMO_PASSWORD);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith("/console/login")),
    page.click('form:has(#username) button[type="submit"]'),
  ]);
}

/**
 * Record a phone call at /console/intake as the signed-in operator (a complaint unless `kind` says
 * otherwise; anonymous unless `realName`): the new ticket's number and receipt.
 */
export async function recordCall(
  page: Page,
  o: { title: string; category: string; kind?: string; realName?: { name: string; phone: string } },
) {
  await page.goto("/console/intake");
  await page.check('input[name="channel"][value="phone"]');
  await page.selectOption("#kind", o.kind ?? "complaint");
  await page.selectOption("#category", { label: o.category });
  await page.fill("#title", o.title);
  await page.fill("#description", `来电反映：${o.title}，请尽快核实处理。`);
  await page.selectOption("#district", "高青县");
  if (o.realName) {
    await page.check('input[name="anonymous"][value="false"]');
    await page.fill("#name", o.realName.name);
    await page.fill("#phone", o.realName.phone);
  }
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click('form.intake button[type="submit"]')]);
  const number = (await page.locator("#new-number").textContent())?.trim() ?? "";
  const receipt = (await page.locator("#receipt").textContent())?.trim() ?? "";
  expect(number).toMatch(/^ZB-\d{4}-\d{6,}$/);
  return { number, receipt };
}
