import type { APIRoute } from "astro";
import { openRendition } from "../../../../../domain/archive/images";
import { getHonor } from "../../../../../domain/honors/honors";
import { AppError } from "../../../../../lib/errors";
import { pageDb } from "../../../../lib/read-db";

const notFound = () =>
  new Response("未找到", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });

/** An honour roll entry's photo renditions. */
export const GET: APIRoute = async ({ params, url, request }) => {
  const id = Number(params.id);
  if (!Number.isInteger(id) || id < 1) return notFound();
  let honor: Awaited<ReturnType<typeof getHonor>>;
  const db = await pageDb({ request, url });
  try {
    honor = await getHonor(db, id);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) return notFound();
    throw err;
  }
  if (!honor.photo) return notFound();
  const file = await openRendition(db, "honors", honor.photo.key, params.file ?? "", honor.photo.sizes);
  if (!file) return notFound();
  const headers = { ETag: `"${file.sha256}"`, "Cache-Control": "public, max-age=86400" };
  if (request.headers.get("if-none-match") === headers.ETag) {
    await file.body.cancel();
    return new Response(null, { status: 304, headers });
  }
  return new Response(file.body, {
    headers: { ...headers, "Content-Type": file.contentType, "Content-Length": String(file.byteSize) },
  });
};
