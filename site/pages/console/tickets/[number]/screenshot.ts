import type { APIRoute } from "astro";
import { screenshotFor } from "../../../../../domain/casework/intake";
import { staffPage } from "../../../../lib/staff-page";

// The screenshot of an online public-opinion (舆情) ticket, for staff who may see the ticket.
export const prerender = false;
export const GET: APIRoute = async (ctx) => {
  const auth = await staffPage(ctx, ["operator", "handler", "supervisor", "inspector"]);
  if (auth instanceof Response) return auth;
  const shot = await screenshotFor(auth.db, auth.staff, ctx.params.number ?? "");
  if (!shot) return new Response("没有截图", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  return new Response(new Uint8Array(shot.bytes), {
    headers: { "Content-Type": shot.type, "Cache-Control": "private, no-store", "Content-Disposition": "inline" },
  });
};
