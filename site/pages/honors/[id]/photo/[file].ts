import { readFile } from "node:fs/promises";
import type { APIRoute } from "astro";
import { getDb } from "../../../../../db/client";
import { renditionPath } from "../../../../../domain/archive/images";
import { getHonor } from "../../../../../domain/honors/honors";
import { AppError } from "../../../../../lib/errors";

const notFound = () =>
  new Response("未找到", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });

/** An honour roll entry's photo renditions. */
export const GET: APIRoute = async ({ params }) => {
  const id = Number(params.id);
  if (!Number.isInteger(id) || id < 1) return notFound();
  let honor: Awaited<ReturnType<typeof getHonor>>;
  try {
    honor = await getHonor(await getDb(), id);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) return notFound();
    throw err;
  }
  if (!honor.photo) return notFound();
  const file = renditionPath("honors", honor.photo.key, params.file ?? "", honor.photo.sizes);
  if (!file) return notFound();
  const bytes = await readFile(file.path).catch(() => null);
  if (!bytes) return notFound();
  return new Response(new Uint8Array(bytes), {
    headers: { "Content-Type": file.contentType, "Cache-Control": "public, max-age=86400" },
  });
};
