import type { MiddlewareHandler } from "hono";
import { envelope } from "../errors";

// 405 for a method a path does not support, before any guard or body parsing: `PUT /api/funds` is a
// method the resource lacks (405 + Allow), not a write that needs a session (401). The table is the
// app's own route table, compiled on the first request (every router is mounted by then).

interface RouteEntry {
  method: string;
  path: string;
}

interface Compiled {
  pattern: RegExp;
  methods: Set<string>;
}

function pathPattern(path: string) {
  const source = path
    .split("/")
    .map((seg) => (seg.startsWith(":") ? "[^/]+" : seg.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${source}/?$`);
}

/** The routes' paths with the methods each supports (middleware and wildcard entries left out). */
function compile(routes: readonly RouteEntry[]): Compiled[] {
  const byPath = new Map<string, Set<string>>();
  for (const r of routes) {
    if (r.method === "ALL" || r.path.includes("*")) continue;
    const methods = byPath.get(r.path) ?? new Set<string>();
    methods.add(r.method);
    if (r.method === "GET") methods.add("HEAD");
    byPath.set(r.path, methods);
  }
  return [...byPath].map(([path, methods]) => ({ pattern: pathPattern(path), methods }));
}

/** The methods the route table registers for a path; empty when no route matches it. */
export function allowedMethods(table: Compiled[], path: string): string[] {
  const methods = new Set<string>();
  for (const entry of table) if (entry.pattern.test(path)) for (const m of entry.methods) methods.add(m);
  return [...methods];
}

/** Answer 405 (with Allow) when the path exists but not for this method; unknown paths go on (to 404). */
export function refuseUnsupportedMethods(routes: () => readonly RouteEntry[]): MiddlewareHandler {
  let table: Compiled[] | undefined;
  return async (c, next) => {
    table ??= compile(routes());
    const allowed = allowedMethods(table, c.req.path);
    if (allowed.length === 0 || allowed.includes(c.req.method)) return next();
    c.header("Allow", allowed.join(", "));
    return c.json(
      envelope("METHOD_NOT_ALLOWED", `此地址不支持 ${c.req.method} 请求，可用：${allowed.join(", ")}`),
      405,
    );
  };
}
