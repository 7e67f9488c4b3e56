import type { APIRoute } from "astro";
import { app } from "../../../api/app";

// /api/* is the Hono app: the same object tests drive with app.request().
export const prerender = false;
export const ALL: APIRoute = ({ request, clientAddress }) => {
  // The socket's address goes to the app as a binding (c.env), never as a header a client could forge:
  // per-client rate limits (wrong receipt codes) use it.
  let address: string | undefined;
  try {
    address = clientAddress;
  } catch {}
  return app.fetch(request, { clientAddress: address });
};
