import type { ClientInfo } from "../../lib/client-address";
import { canonicalAddress } from "../../lib/trust-proxy";

/**
 * The client of a page request. The page server (scripts/serve.ts) has replaced X-Forwarded-For/-Proto
 * with what lib/client-address.ts decided (socket, or a trusted proxy's word), so Astro's clientAddress
 * and the URL's scheme are the client's own; nothing a client sends itself reaches them.
 */
export function pageClient(ctx: { readonly clientAddress: string; readonly url: URL }): ClientInfo {
  let address: string | null = null;
  try {
    address = canonicalAddress(ctx.clientAddress);
  } catch {
    // No address available (prerendering): unknown client.
  }
  return { address, https: ctx.url.protocol === "https:" };
}
