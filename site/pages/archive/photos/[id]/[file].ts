import type { APIRoute } from "astro";
import { openRendition } from "../../../../../domain/archive/images";
import { getPublicItem } from "../../../../../domain/archive/items";
import { AppError } from "../../../../../lib/errors";
import { pageDb } from "../../../../lib/read-db";

const notFound = () =>
  new Response("未找到", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });

/** The resized renditions of approved photos only (pending/rejected ones are not public). */
export const GET: APIRoute = async ({ params, url, request }) => {
  const id = Number(params.id);
  if (!Number.isInteger(id) || id < 1) return notFound();
  let item: Awaited<ReturnType<typeof getPublicItem>>;
  const db = await pageDb({ request, url });
  try {
    item = await getPublicItem(db, id);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) return notFound();
    throw err;
  }
  const file = await openRendition(db, "photos", item.fileKey, params.file ?? "", item.sizes);
  if (!file) return notFound();
  // Renditions never change for an id (content-addressed); a withdrawn photo stops being served at once (404).
  const headers = { ETag: `"${file.sha256}"`, "Cache-Control": "public, max-age=86400" };
  if (request.headers.get("if-none-match") === headers.ETag) {
    await file.body.cancel();
    return new Response(null, { status: 304, headers });
  }
  return new Response(file.body, {
    headers: { ...headers, "Content-Type": file.contentType, "Content-Length": String(file.byteSize) },
  });
};
