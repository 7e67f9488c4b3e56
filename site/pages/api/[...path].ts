import type { APIRoute } from "astro";
import { app } from "../../../api/app";
import { clientBindings } from "../../../api/middleware/client";
import { pageClient } from "../../lib/client";

// /api/* is the Hono app: the same object tests drive with app.request(). (`npm start` serves /api/*
// without Astro; this route is the path under `astro dev`.) The client goes to the app as a binding.
export const prerender = false;
export const ALL: APIRoute = (ctx) => app.fetch(ctx.request, clientBindings(pageClient(ctx)));
