import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseURL, launchBrowser, openNoJsPage, signIn } from "./harness";

// WCAG 1.4.10 Reflow on every page: at 320 CSS px (a small phone) and at 180 CSS px (a 360 px phone
// zoomed to 200 %) nothing may need sideways scrolling. "Every page" is every .astro page under
// site/pages: a dynamic page is visited with a sample found by crawling links from the other pages, so a
// new page is checked without being listed here — and a page that cannot be reached fails the test.

const PAGES_DIR = path.resolve("site/pages");
const WIDTHS = [320, 180];
/** Pages that are not places a person reads (they redirect or only answer a form). */
const NOT_READ = new Set(["/console/logout"]);
/** Console roles tried in turn until one may open a page. */
const ROLES = ["admin", "duban", "fabu", "chengban.gaoqing", "jiexian", "jijian"];

function routes(dir = PAGES_DIR): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...routes(full));
    else if (name.endsWith(".astro")) {
      const rel = path
        .relative(PAGES_DIR, full)
        .replace(/\.astro$/, "")
        .replace(/(^|\/)index$/, "");
      out.push(`/${rel}`);
    }
  }
  return out.sort();
}

/** /funds/[id] → a regex matching a concrete path of it. */
const routeRegex = (route: string) =>
  new RegExp(`^${route.replace(/\[\.\.\.[^\]]+\]/g, ".+").replace(/\[[^\]]+\]/g, "[^/?#]+")}$`);

async function overflow(page: Page) {
  return page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    // The widest elements, to say what overflows when it does.
    culprits: [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .filter((e) => !e.closest(".table-wrap, .visually-hidden, [hidden]"))
      .slice(0, 5)
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ""}${e.className ? `.${String(e.className).split(" ")[0]}` : ""}`,
      ),
  }));
}

describe("reflow (WCAG 1.4.10) on every page", () => {
  let browser: Browser;
  const contexts = new Map<string, { context: BrowserContext; page: Page }>();
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const c of contexts.values()) await c.context.close();
    await browser?.close();
  });

  async function as(role: string | null) {
    const key = role ?? "public";
    let c = contexts.get(key);
    if (!c) {
      const o = await openNoJsPage(browser);
      if (role) await signIn(o.page, role);
      c = { context: o.context, page: o.page };
      contexts.set(key, c);
    }
    return c.page;
  }

  it("has no horizontal scroll at 320 px and 180 px", async () => {
    const all = routes().filter((r) => !NOT_READ.has(r));
    const samples = new Map<string, string>();
    const seen = new Set<string>();
    const failures: string[] = [];
    const unreached: string[] = [];
    const links = new Set<string>();

    async function visit(route: string, url: string) {
      const roles = route.startsWith("/console") && route !== "/console/login" ? ROLES : [null];
      for (const role of roles) {
        const page = await as(role);
        await page.setViewportSize({ width: 320, height: 640 });
        const res = await page.goto(url);
        const status = res?.status() ?? 0;
        const landed = new URL(page.url()).pathname;
        if (status === 403 || (role && landed.startsWith("/console/login") && route !== "/console/login")) continue;
        for (const href of await page.$$eval("a[href]", (as) => as.map((a) => (a as HTMLAnchorElement).href))) {
          const u = new URL(href);
          if (u.origin === new URL(baseURL()).origin) links.add(u.pathname);
        }
        for (const width of WIDTHS) {
          await page.setViewportSize({ width, height: 640 });
          const o = await overflow(page);
          if (o.scroll > o.viewport) {
            failures.push(`${url} at ${width}px (${role ?? "public"}): ${o.scroll}px wide; ${o.culprits.join(", ")}`);
          }
        }
        return true;
      }
      return false;
    }

    // Fixed pages first (they supply the links that dynamic pages are sampled from), then dynamic ones.
    const fixed = all.filter((r) => !r.includes("["));
    const dynamic = all.filter((r) => r.includes("["));
    for (const r of fixed) {
      if (!(await visit(r, r))) unreached.push(r);
      seen.add(r);
    }
    // Until a pass reaches no new page: each page visited adds the links that lead to the next ones.
    for (let before = -1; samples.size > before; ) {
      before = samples.size;
      for (let round = 0; round < 3; round++) {
        for (const r of dynamic) {
          if (samples.has(r)) continue;
          const re = routeRegex(r);
          const sample = [...links].find(
            (l) => re.test(l) && !all.some((other) => other !== r && !other.includes("[") && other === l),
          );
          if (!sample) continue;
          samples.set(r, sample);
          if (!(await visit(r, sample))) unreached.push(r);
        }
      }
      // A page no link leads to (e.g. a console edit page) takes its parameter from a page of the same
      // thing: /console/publish/funds/[id] from /funds/[id].
      for (const r of dynamic) {
        if (samples.has(r)) continue;
        const tail = r.split("/").slice(-2).join("/");
        const sibling = [...samples].find(([other]) => other !== r && other.endsWith(`/${tail}`));
        if (!sibling) continue;
        const sample = r.replace(/\[[^\]]+\]$/, sibling[1].split("/").pop() as string);
        samples.set(r, sample);
        if (!(await visit(r, sample))) unreached.push(r);
      }
    }
    for (const r of dynamic) if (!samples.has(r)) unreached.push(`${r} (no link to it found)`);
    expect({ unreached, failures }).toEqual({ unreached: [], failures: [] });
    expect(samples.size).toBe(dynamic.length);
  }, 600_000);

  it("/search: every tap target is at least 24 × 24 CSS px or spaced (WCAG 2.5.8)", async () => {
    const { page, context } = await openNoJsPage(browser);
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto("/search?q=%E6%89%B6%E8%B4%AB");
    const ctx = await browser.newContext({
      baseURL: baseURL(),
      locale: "zh-CN",
      viewport: { width: 360, height: 740 },
    });
    const p = await ctx.newPage();
    await p.goto(page.url());
    const result = await new AxeBuilder({ page: p }).withRules(["target-size"]).analyze();
    expect(result.violations.map((v) => v.nodes.map((n) => n.target.join(" ")).join(", "))).toEqual([]);
    await ctx.close();
    await context.close();
  });

  it("the report form says what becomes public", async () => {
    const { page, context } = await openNoJsPage(browser);
    await page.goto("/report");
    await expect(page.locator("#public-scope").textContent()).resolves.toContain("哪些内容会公开");
    await context.close();
  });
});
