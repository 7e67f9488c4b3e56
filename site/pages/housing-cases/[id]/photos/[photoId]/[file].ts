import type { APIRoute } from "astro";
import { getDb } from "../../../../../../db/client";
import { openRendition } from "../../../../../../domain/archive/images";
import { SESSION_COOKIE, sessionFromToken } from "../../../../../../domain/auth/session";
import { publicHousingCase } from "../../../../../../domain/money/housing-cases";
import { photosOfCase } from "../../../../../../domain/money/housing-photos";
import { AppError } from "../../../../../../lib/errors";
import { pageDb } from "../../../../../lib/read-db";
import { renditionNotFound, renditionResponse } from "../../../../../lib/rendition-response";

/**
 * A 危房改造 photo's rendition: public only while its case is in 公示 (the privacy rule of the case);
 * publishers and admins see it always (the console's case page).
 */
export const GET: APIRoute = async ({ params, url, request, cookies }) => {
  const id = Number(params.id);
  const photoId = Number(params.photoId);
  if (!Number.isSafeInteger(id) || id < 1 || !Number.isSafeInteger(photoId) || photoId < 1) return renditionNotFound();
  const db = await pageDb({ request, url });
  const session = await sessionFromToken(await getDb(), cookies.get(SESSION_COOKIE)?.value);
  const staff = session && ["publisher", "admin"].includes(session.staff.role);
  if (!staff) {
    try {
      await publicHousingCase(db, id);
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return renditionNotFound();
      throw err;
    }
  }
  const photo = (await photosOfCase(db, id)).find((p) => p.id === photoId);
  if (!photo) return renditionNotFound();
  const file = await openRendition(db, "housing", photo.key, params.file ?? "", photo.sizes);
  const res = await renditionResponse(request, file);
  // Its public life ends with the 公示: never cached for long, never shared for a staff view.
  res.headers.set("Cache-Control", staff ? "private, no-store" : "public, max-age=300");
  return res;
};
