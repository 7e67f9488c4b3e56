import { readFile } from "node:fs/promises";
import type { APIRoute } from "astro";
import { getDb } from "../../../../../db/client";
import { renditionPath } from "../../../../../domain/archive/images";
import { getPublicItem } from "../../../../../domain/archive/items";
import { AppError } from "../../../../../lib/errors";

const notFound = () =>
  new Response("未找到", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });

/** The resized renditions of approved photos only (pending/rejected ones are not public). */
export const GET: APIRoute = async ({ params }) => {
  const id = Number(params.id);
  if (!Number.isInteger(id) || id < 1) return notFound();
  let item: Awaited<ReturnType<typeof getPublicItem>>;
  try {
    item = await getPublicItem(await getDb(), id);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) return notFound();
    throw err;
  }
  const file = renditionPath("photos", item.fileKey, params.file ?? "", item.sizes);
  if (!file) return notFound();
  const bytes = await readFile(file.path).catch(() => null);
  if (!bytes) return notFound();
  return new Response(new Uint8Array(bytes), {
    headers: {
      "Content-Type": file.contentType,
      "Content-Length": String(bytes.length),
      // Renditions never change for an id; a withdrawn photo stops being served at once (404).
      "Cache-Control": "public, max-age=86400",
    },
  });
};
