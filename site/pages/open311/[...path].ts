import type { APIRoute } from "astro";
import { clientBindings } from "../../../api/middleware/client";
import { open311 } from "../../../api/open311/app";
import { pageClient } from "../../lib/client";

// /open311/v2/* is the Open311 GeoReport v2 Hono app (api/open311/app.ts), the object tests drive too.
export const prerender = false;
export const ALL: APIRoute = (ctx) => open311.fetch(ctx.request, clientBindings(pageClient(ctx)));
