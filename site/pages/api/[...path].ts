import type { APIRoute } from "astro";
import { app } from "../../../api/app";

// /api/* is the Hono app: the same object tests drive with app.request().
export const prerender = false;
export const ALL: APIRoute = ({ request }) => app.fetch(request);
