import type { APIRoute } from "astro";
import { app } from "../../../api/app";
import { CLIENT_ADDRESS_HEADER } from "../../../api/routes/tickets";

// /api/* is the Hono app: the same object tests drive with app.request().
export const prerender = false;
export const ALL: APIRoute = ({ request, clientAddress }) => {
  // The socket's address, for per-client rate limits (a client-sent value is replaced, never trusted).
  let address: string | undefined;
  try {
    address = clientAddress;
  } catch {}
  const headers = new Headers(request.headers);
  headers.delete(CLIENT_ADDRESS_HEADER);
  if (address) headers.set(CLIENT_ADDRESS_HEADER, address);
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : request.body;
  return app.fetch(new Request(request.url, { method: request.method, headers, body, duplex: "half" } as RequestInit));
};
