import type { Context } from "hono";
import { type ClientInfo, resolveClient } from "../../lib/client-address";

// Who sent an API request. The server resolves it from the socket (and a trusted proxy's headers) and
// hands it over as a binding: scripts/serve.ts passes { client }; under `astro dev`,
// site/pages/{api,open311}/[...path].ts pass the page server's resolved client the same way. Without a
// binding (in-process app.request() in tests) the client is unknown: address null, plain HTTP.

export interface ClientBindings {
  client?: ClientInfo;
  /** An address alone, as in-process tests pass it (plain HTTP); servers pass `client`. */
  clientAddress?: string;
}

/** The bindings a server passes to app.fetch for a resolved client. */
export function clientBindings(client: ClientInfo): ClientBindings {
  return { client };
}

/** The request's client: address (null when unknown) and whether it came over HTTPS. */
export function clientOf(c: Context): ClientInfo {
  const env = c.env as ClientBindings | undefined;
  if (env?.client && (typeof env.client.address === "string" || env.client.address === null)) return env.client;
  if (typeof env?.clientAddress === "string" && env.clientAddress !== "") {
    return { address: env.clientAddress, https: false };
  }
  return resolveClient({}, c.req.raw.headers);
}
