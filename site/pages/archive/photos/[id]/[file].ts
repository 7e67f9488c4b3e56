import type { APIRoute } from "astro";
import { openRendition } from "../../../../../domain/archive/images";
import { getPublicItem } from "../../../../../domain/archive/items";
import { AppError } from "../../../../../lib/errors";
import { pageDb } from "../../../../lib/read-db";
import { renditionNotFound, renditionResponse } from "../../../../lib/rendition-response";

/** The resized renditions of approved photos only (pending/rejected ones are not public). */
export const GET: APIRoute = async ({ params, url, request }) => {
  const id = Number(params.id);
  if (!Number.isInteger(id) || id < 1) return renditionNotFound();
  let item: Awaited<ReturnType<typeof getPublicItem>>;
  const db = await pageDb({ request, url });
  try {
    item = await getPublicItem(db, id);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) return renditionNotFound();
    throw err;
  }
  const file = await openRendition(db, "photos", item.fileKey, params.file ?? "", item.sizes);
  // A withdrawn photo stops being served at once (404).
  return renditionResponse(request, file);
};
