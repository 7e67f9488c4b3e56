import type { OpenAPIHono } from "@hono/zod-openapi";
import { html, raw } from "hono/html";
import { SESSION_COOKIE } from "../../domain/auth/session";
import pkg from "../../package.json" with { type: "json" };
import type { AppEnv } from "../context";
import { OPEN311_OPENAPI_PATHS } from "../open311/openapi";

const INFO = {
  title: "阳光扶贫 Sunshine API",
  version: pkg.version,
  description:
    "淄博市脱贫攻坚阳光扶贫平台的公开接口：资金分配公开、项目公告公示、12317 监督举报、档案与群英谱。所有错误均以 { error: { code, message, details } } 返回。",
};

type Doc = ReturnType<OpenAPIHono["getOpenAPI31Document"]>;
type Operation = {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: { type?: string } }[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, { description?: string }>;
};

/**
 * Register /api/openapi.json (generated from the zod route definitions) and /api/docs (the same,
 * readable) on the app itself, after every router is mounted (mounting the app into itself would
 * register each path twice).
 */
export function registerDocs(app: OpenAPIHono<AppEnv, {}, "/api">) {
  const config = { openapi: "3.1.0", info: INFO, servers: [{ url: "/" }] };
  let doc: Doc | undefined;
  // Built once, on first request, after every router is mounted.
  const document = () => {
    doc ??= finishDocument(app.getOpenAPI31Document(config));
    return doc;
  };
  app.get("/openapi.json", (c) => c.json(document()));
  app.get("/docs", (c) => {
    c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    return c.html(renderDocs(document()));
  });
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const;

/**
 * What the generator leaves out, added the same way for every route: the security schemes (staff
 * session cookie + X-CSRF-Token on writes) on operations that answer 401; a path parameter is always
 * required (OpenAPI 3.1: `required: true` for `in: path`; Hono cannot match a path without it anyway);
 * every `{name}` in a path has its parameter; a stable operationId per operation; and the Open311
 * GeoReport endpoint, which is not a zod router. test/api/openapi.test.ts validates the result against
 * the OpenAPI 3.1 schema.
 */
export function finishDocument(doc: Doc): Doc {
  const paths = { ...(doc.paths ?? {}), ...(OPEN311_OPENAPI_PATHS as unknown as Doc["paths"]) };
  const used = new Set<string>();
  for (const [path, item] of Object.entries(paths ?? {})) {
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
    for (const method of METHODS) {
      const op = (item as Record<string, OpenApiOperation | undefined>)[method];
      if (!op) continue;
      const params = (op.parameters ??= []);
      for (const p of params) if (p.in === "path") p.required = true;
      for (const name of names) {
        if (!params.some((p) => p.in === "path" && p.name === name)) {
          params.push({ name, in: "path", required: true, schema: { type: "string" } });
        }
      }
      let id = op.operationId ?? operationIdFor(method, path);
      for (let n = 2; used.has(id); n++) id = `${op.operationId ?? operationIdFor(method, path)}${n}`;
      op.operationId = id;
      used.add(id);
      if (op.responses?.["401"] && !op.security) {
        op.security = method === "get" ? [{ staffSession: [] }] : [{ staffSession: [], csrfToken: [] }];
      }
    }
  }
  return {
    ...doc,
    paths,
    components: {
      ...doc.components,
      securitySchemes: {
        staffSession: {
          type: "apiKey",
          in: "cookie",
          name: SESSION_COOKIE,
          description: "工作人员会话（POST /api/console/session 登录后设置的 HttpOnly Cookie）",
        },
        csrfToken: {
          type: "apiKey",
          in: "header",
          name: "X-CSRF-Token",
          description: "会话的 CSRF 令牌（登录响应中的 csrfToken）；除 GET 外的工作人员请求都必须携带",
        },
      },
    },
  };
}

type OpenApiOperation = {
  operationId?: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: object }[];
  responses?: Record<string, unknown>;
  security?: Record<string, string[]>[];
};

/** get /api/funds/{id}/corrections → getFundsByIdCorrections; post /api/ledger.csv → postLedgerCsv. */
export function operationIdFor(method: string, path: string): string {
  const words = path
    .replace(/^\/api\//, "/")
    .split("/")
    .filter(Boolean)
    .flatMap((seg) => {
      const param = /^\{(.+)\}$/.exec(seg);
      return param ? ["by", ...(param[1] as string).split(/[^A-Za-z0-9]+/)] : seg.split(/[^A-Za-z0-9]+/);
    })
    .filter(Boolean);
  return method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

function renderDocs(doc: Doc) {
  const byTag = new Map<string, { method: string; path: string; op: Operation }[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item as Record<string, Operation>)) {
      const tag = op.tags?.[0] ?? "其他";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push({ method: method.toUpperCase(), path, op });
    }
  }
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>接口文档 · ${INFO.title}</title>
<style>
body{font:16px/1.6 system-ui,"Noto Sans CJK SC",sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1a1a1a}
h1{font-size:1.6rem}h2{border-bottom:2px solid #b71c1c;padding-bottom:.2rem;margin-top:2rem}
section{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;margin:.8rem 0}
code{background:#f3f3f3;padding:0 .25rem;border-radius:3px}.m{font-weight:700;color:#7a0000}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
</style>
</head>
<body>
<h1>${INFO.title} 接口文档</h1>
<p>${INFO.description}</p>
<p>机器可读的规范：<a href="/api/openapi.json">/api/openapi.json</a>（OpenAPI 3.1）。</p>
<nav aria-label="接口分组"><ul>${[...byTag.keys()].map((t) => html`<li><a href="#${encodeURIComponent(t)}">${t}</a></li>`)}</ul></nav>
${[...byTag.entries()].map(
  ([tag, ops]) => html`<h2 id="${encodeURIComponent(tag)}">${tag}</h2>
${ops.map(
  ({ method, path, op }) => html`<section>
<h3><span class="m">${method}</span> <code>${path}</code></h3>
${op.summary ? html`<p>${op.summary}</p>` : ""}${op.description ? html`<p>${op.description}</p>` : ""}
${
  op.parameters?.length
    ? html`<table><caption>参数</caption><tr><th>名称</th><th>位置</th><th>必填</th><th>说明</th></tr>
${op.parameters.map(
  (p) =>
    html`<tr><td><code>${p.name}</code></td><td>${p.in}</td><td>${p.required ? "是" : "否"}</td><td>${p.description ?? p.schema?.type ?? ""}</td></tr>`,
)}</table>`
    : ""
}
${op.requestBody ? html`<p>请求体：${Object.keys(op.requestBody.content ?? {}).join("、")}</p>` : ""}
<p>响应：${raw(
    Object.entries(op.responses ?? {})
      .map(([s, r]) => `<code>${s}</code> ${escapeHtml(r.description ?? "")}`)
      .join("；"),
  )}</p>
</section>`,
)}`,
)}
</body></html>`;
}

function escapeHtml(s: string) {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
