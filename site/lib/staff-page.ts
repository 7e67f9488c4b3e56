import type { AstroGlobal } from "astro";
import { type Db, getDb } from "../../db/client";
import type { StaffPrincipal, StaffRole } from "../../domain/auth/principal";
import { CSRF_FIELD, csrfMatches, SESSION_COOKIE, sessionFromToken } from "../../domain/auth/session";
import { AppError } from "../../lib/errors";

// Staff pages (the console, publisher tools): call from a page's frontmatter.
//
//   const auth = await staffPage(Astro, ["publisher", "admin"]);
//   if (auth instanceof Response) return auth;          // not signed in → login; wrong role → 403
//   const { staff, csrfToken, form, db } = auth;        // form: the POSTed FormData, CSRF already checked
//   …  <CsrfField token={csrfToken} /> inside every <form method="post">
//
// On POST the form's `_csrf` field must equal the session's token (403 otherwise); GET forms need none.

export interface StaffPageContext {
  staff: StaffPrincipal;
  csrfToken: string;
  db: Db;
  /** The submitted form on POST (already CSRF-checked), else undefined. */
  form?: FormData;
}

function page(status: number, title: string, message: string): Response {
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · 阳光扶贫</title></head><body><main><h1>${title}</h1><p>${message}</p><p><a href="/console">返回工作台</a></p></main></body></html>`;
  return new Response(html, { status, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

export async function staffPage(
  Astro: Pick<AstroGlobal, "request" | "url" | "redirect" | "cookies">,
  roles: readonly StaffRole[] = [],
): Promise<StaffPageContext | Response> {
  const db = await getDb();
  // Astro's cookie parser: a malformed cookie reads as absent (not signed in), never an exception.
  const session = await sessionFromToken(db, Astro.cookies.get(SESSION_COOKIE)?.value);
  if (!session) {
    const next = Astro.url.pathname + Astro.url.search;
    return Astro.redirect(`/console/login?next=${encodeURIComponent(next)}`, 303);
  }
  if (roles.length > 0 && !roles.includes(session.staff.role)) {
    return page(403, "无权访问", "当前账号的角色不能使用此页面。");
  }
  let form: FormData | undefined;
  if (Astro.request.method === "POST") {
    try {
      form = await Astro.request.formData();
    } catch {
      return page(400, "请求有误", "表单内容无法读取。");
    }
    if (!csrfMatches(session.csrfToken, form.get(CSRF_FIELD)?.toString())) {
      return page(403, "表单已失效", "表单校验令牌（CSRF）缺失或不正确，请返回后刷新页面重新提交。");
    }
  }
  return { staff: session.staff, csrfToken: session.csrfToken, db, form };
}

/**
 * A staff page about one record (`[id].astro`): staffPage, then the route's id, a positive integer.
 * Any other id is the site's 404 page; the record's own lookup decides whether it exists.
 */
export async function staffRecordPage(
  Astro: Pick<AstroGlobal, "request" | "url" | "redirect" | "cookies" | "params" | "rewrite">,
  roles: readonly StaffRole[] = [],
): Promise<(StaffPageContext & { id: number }) | Response> {
  const auth = await staffPage(Astro, roles);
  if (auth instanceof Response) return auth;
  const id = Number(Astro.params.id);
  if (!Number.isSafeInteger(id) || id <= 0) return Astro.rewrite("/404");
  return { ...auth, id };
}

/**
 * A record page's lookup: the record, or null when the domain says there is none (NOT_FOUND), for the
 * page to answer with the site's 404 page (`if (!r) return Astro.rewrite("/404")`). Other errors throw.
 */
export async function foundOrNull<T>(lookup: Promise<T>): Promise<T | null> {
  try {
    return await lookup;
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") return null;
    throw err;
  }
}
