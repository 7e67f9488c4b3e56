import type { APIRoute } from "astro";
import { logApp } from "../../../api/log/app";

export const prerender = false;

// /log/* is the transparency log's Hono app (api/log/app.ts); `npm start` serves it without Astro.
export const ALL: APIRoute = (ctx) => logApp.fetch(ctx.request);
