import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { STAFF_ROLES } from "../../domain/auth/principal";
import { CONSOLE_HELP, CONSOLE_HELP_DEFAULT, consoleHelpHref } from "../../site/lib/help-links";
import { headingSlug, manualHeadings, renderManual } from "../../site/lib/manual-render";

// The documentation as a reader meets it: every page of docs/ reachable from the README, no dead link or
// anchor anywhere, every screenshot a manual shows produced by a browser test, every manual task told
// in the same four parts, and every console help link landing on a heading that exists.

const ROOT = path.resolve(import.meta.dirname, "../..");
const ZH = path.join(ROOT, "docs/zh");
const IMG = path.join(ZH, "img");

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return markdownFiles(p);
    return e.name.endsWith(".md") ? [p] : [];
  });
}
const FILES = [path.join(ROOT, "README.md"), ...markdownFiles(path.join(ROOT, "docs"))];
const read = (f: string) => readFileSync(f, "utf8");
const rel = (f: string) => path.relative(ROOT, f);

const withoutFences = (source: string) => source.replace(/^(```|~~~)[\s\S]*?^\1/gm, "");
/** Markdown without code (fenced blocks and inline code), where link-like text is not a link. */
const prose = (source: string) => withoutFences(source).replace(/`[^`\n]*`/g, "");

/** GitHub's anchors of a Markdown file: one per heading, repeated slugs numbered -1, -2 … */
function anchors(file: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of withoutFences(read(file)).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[*`]/g, "");
    const slug = headingSlug(text);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

interface Link {
  file: string;
  target: string;
  image: boolean;
}
function links(file: string): Link[] {
  return [...prose(read(file)).matchAll(/(!?)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => ({
    file,
    target: m[2],
    image: m[1] === "!",
  }));
}
const ALL_LINKS = FILES.flatMap(links);
const isExternal = (t: string) => /^(https?:|mailto:|tel:)/.test(t);

/** Screenshot names the browser tests save: shot(<target>, "<name>") in test/browser/. */
function producedScreenshots(): Set<string> {
  const dir = path.join(ROOT, "test/browser");
  const names = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".ts"))) {
    for (const m of read(path.join(dir, f)).matchAll(/\bshot\(\s*[^;]*?,\s*"([a-z0-9-]+)"\s*\)/g)) names.add(m[1]);
  }
  return names;
}

const MANUALS = ["citizen", ...STAFF_ROLES];

describe("docs: links", () => {
  it("finds the documentation and its links (the checks below are not vacuous)", () => {
    expect(FILES.map(rel)).toEqual(expect.arrayContaining(["README.md", "docs/api.md", "docs/zh/citizen.md"]));
    expect(ALL_LINKS.length).toBeGreaterThan(50);
  });

  it("every relative link points at a file that exists, and every #anchor at a heading in it", () => {
    const dead: string[] = [];
    for (const l of ALL_LINKS) {
      if (isExternal(l.target) || l.target.startsWith("/")) continue;
      const [p, hash] = l.target.split("#");
      const target = p ? path.resolve(path.dirname(l.file), decodeURI(p)) : l.file;
      if (!existsSync(target)) {
        dead.push(`${rel(l.file)}: ${l.target} (no such file)`);
        continue;
      }
      if (hash !== undefined && target.endsWith(".md") && !anchors(target).has(decodeURIComponent(hash))) {
        dead.push(`${rel(l.file)}: ${l.target} (no such heading)`);
      }
    }
    expect(dead).toEqual([]);
  });

  it("every page under docs/ can be reached from the README", () => {
    const reached = new Set<string>();
    const queue = [path.join(ROOT, "README.md")];
    while (queue.length) {
      const f = queue.pop() as string;
      if (reached.has(f)) continue;
      reached.add(f);
      for (const l of links(f)) {
        if (isExternal(l.target) || l.target.startsWith("/") || l.image) continue;
        const p = l.target.split("#")[0];
        if (!p?.endsWith(".md")) continue;
        const t = path.resolve(path.dirname(f), decodeURI(p));
        if (existsSync(t)) queue.push(t);
      }
    }
    expect(FILES.filter((f) => !reached.has(f)).map(rel)).toEqual([]);
  });

  it("the README stays a front door", () => {
    expect(read(path.join(ROOT, "README.md")).split("\n").length).toBeLessThanOrEqual(160);
  });
});

describe("docs: the Chinese manuals", () => {
  it("has the citizen guide and one manual per staff role", () => {
    for (const m of MANUALS) expect(existsSync(path.join(ZH, `${m}.md`)), `docs/zh/${m}.md`).toBe(true);
  });

  it("every screenshot a manual shows is produced by a browser test and committed; none is left over", () => {
    const produced = producedScreenshots();
    expect(produced.size).toBeGreaterThan(10);
    const shown = new Set<string>();
    const problems: string[] = [];
    for (const l of ALL_LINKS.filter((x) => x.image)) {
      const m = /^img\/([a-z0-9-]+)\.png$/.exec(l.target);
      if (!m || path.dirname(l.file) !== ZH) {
        problems.push(`${rel(l.file)}: ${l.target} is not a screenshot in docs/zh/img/`);
        continue;
      }
      shown.add(m[1]);
      if (!produced.has(m[1])) problems.push(`${rel(l.file)}: no browser test produces ${l.target}`);
      if (!existsSync(path.join(IMG, `${m[1]}.png`)))
        problems.push(`${rel(l.file)}: ${l.target} is missing (npm run docs:screenshots)`);
    }
    for (const f of existsSync(IMG) ? readdirSync(IMG) : []) {
      if (!shown.has(f.replace(/\.png$/, ""))) problems.push(`docs/zh/img/${f} is shown by no manual`);
    }
    expect(problems).toEqual([]);
  });

  it("every task is told in four parts: when you need it, the steps, what you will see, what to do when it goes wrong", () => {
    const missing: string[] = [];
    for (const m of MANUALS) {
      const sections = read(path.join(ZH, `${m}.md`))
        .split(/^## /m)
        .slice(1);
      expect(sections.length, m).toBeGreaterThan(1);
      for (const s of sections) {
        const title = s.split("\n")[0];
        for (const part of ["**什么时候用**", "**操作步骤**", "**您会看到**", "**遇到问题**"]) {
          if (!s.includes(part)) missing.push(`${m}.md「${title}」: ${part}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it("each console page's help link opens a section that exists in the role's manual", () => {
    for (const role of STAFF_ROLES) {
      const headings = new Set(manualHeadings(read(path.join(ZH, `${role}.md`))));
      for (const heading of [CONSOLE_HELP_DEFAULT, ...CONSOLE_HELP[role].map(([, h]) => h)]) {
        expect(headings.has(heading), `${role}.md has no section 「${heading}」`).toBe(true);
      }
    }
    expect(consoleHelpHref("handler", "/console/tickets/ZB-2026-000001")).toBe("/help/handler#签收和答复");
    expect(consoleHelpHref("handler", "/console/tickets")).toBe("/help/handler#查看待办工单");
    expect(consoleHelpHref("admin", "/console/password")).toBe("/help/admin#登录工作台");
  });
});

describe("docs: rendering a manual for the site", () => {
  const links = {
    manualHref: (f: string) => (f === "handler.md" ? "/help/handler" : null),
    image: (src: string) => (src === "img/a.png" ? { src: "/_astro/a.123.png", width: 390, height: 844 } : null),
  };

  it("gives headings GitHub's ids, points manual links and images at the site, and keeps other links", () => {
    const html = renderManual(
      "# 标题\n\n## 签收和答复\n\n## 签收和答复\n\n见 [承办人](handler.md#签收和答复)、[外部](https://example.org/)、[别处](other.md)。\n\n![截图](img/a.png)\n",
      links,
    );
    expect(html).toContain('<h1 id="标题">标题</h1>');
    expect(html).toContain('<h2 id="签收和答复">');
    expect(html).toContain('<h2 id="签收和答复-1">');
    expect(html).toMatch(/<a href="\/help\/handler#(签收和答复|%E7%AD%BE%E6%94%B6%E5%92%8C%E7%AD%94%E5%A4%8D)">/);
    expect(html).toContain('href="https://example.org/"');
    expect(html).toContain('href="other.md"');
    expect(html).toContain('<img src="/_astro/a.123.png" alt="截图" width="390" height="844" loading="lazy" />');
  });

  it("drops script, event handlers and javascript: links; an unknown image is left out", () => {
    const html = renderManual(
      '<script>alert(1)</script>\n\n<p onclick="x()">文字</p>\n\n[点](javascript:alert(1))\n\n![无](img/none.png)\n',
      links,
    );
    expect(html).not.toMatch(/<script|onclick|javascript:|img\/none/);
    expect(html).toContain("文字");
  });

  it("slugs headings as GitHub does", () => {
    expect(headingSlug("1. 查资金")).toBe("1-查资金");
    expect(headingSlug("Open311 GeoReport v2 (`/open311/v2/`)")).toBe("open311-georeport-v2-open311v2");
    expect(manualHeadings("# 标题\n\n## 一\n\n### 二 `x`\n\n```\n## 不是\n```\n")).toEqual(["一", "二 x"]);
  });
});
