import type { APIRoute } from "astro";
import { open311 } from "../../../api/open311/app";

// /open311/v2/* is the Open311 GeoReport v2 Hono app (api/open311/app.ts), the object tests drive too.
export const prerender = false;
export const ALL: APIRoute = ({ request }) => open311.fetch(request);
