import type { APIRoute } from "astro";
import { openRendition } from "../../../../../domain/archive/images";
import { getHonor } from "../../../../../domain/honors/honors";
import { AppError } from "../../../../../lib/errors";
import { pageDb } from "../../../../lib/read-db";
import { renditionNotFound, renditionResponse } from "../../../../lib/rendition-response";

/** An honour roll entry's photo renditions. */
export const GET: APIRoute = async ({ params, url, request }) => {
  const id = Number(params.id);
  if (!Number.isInteger(id) || id < 1) return renditionNotFound();
  let honor: Awaited<ReturnType<typeof getHonor>>;
  const db = await pageDb({ request, url });
  try {
    honor = await getHonor(db, id);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) return renditionNotFound();
    throw err;
  }
  if (!honor.photo) return renditionNotFound();
  const file = await openRendition(db, "honors", honor.photo.key, params.file ?? "", honor.photo.sizes);
  return renditionResponse(request, file);
};
