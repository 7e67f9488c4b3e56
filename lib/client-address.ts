import { env } from "./env";
import { canonicalAddress, isTrustedPeer, type TrustProxy } from "./trust-proxy";

// The one rule for "who is the client and did they come over HTTPS", used by the API apps, Open311 and
// the pages alike: the socket's peer, unless that peer is a trusted proxy (TRUST_PROXY), in which case
// X-Forwarded-For / X-Forwarded-Proto say it. A header from anyone else is ignored — a client that sends
// its own X-Forwarded-For gets nothing from it. Per-client limits (wrong receipts, logins, filing) and
// HSTS read this.

/** What the server knows about the connection itself (never from headers). */
export interface Peer {
  /** The socket's remote address (req.socket.remoteAddress). */
  address?: string | null;
  /** The connection is TLS (the server itself terminates HTTPS). */
  encrypted?: boolean;
}

export interface ClientInfo {
  /** The client's IP address in canonical form, or null when unknown (e.g. in-process requests). */
  address: string | null;
  /** Whether the client's request came over HTTPS, directly or to a trusted proxy. */
  https: boolean;
}

/** Something with get(name) → header value, like Headers or Hono's c.req.raw.headers. */
export interface HeaderSource {
  get(name: string): string | null;
}

/** Resolve the client from the peer and (only through trusted proxies) the forwarding headers. */
export function resolveClient(peer: Peer, headers: HeaderSource, trust: TrustProxy = env().TRUST_PROXY): ClientInfo {
  const socket = canonicalAddress(peer.address);
  const direct = { address: socket, https: peer.encrypted === true };
  if (trust.kind === "none" || !isTrustedPeer(trust, socket)) return direct;

  const forwarded = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  let address = socket;
  if (trust.kind === "hops") {
    // N proxies each appended the address they saw: the client is the Nth entry from the right.
    // Fewer entries than hops means the request came through fewer proxies: take the leftmost.
    let steps = trust.hops;
    for (let i = forwarded.length - 1; i >= 0 && steps > 0; i--, steps--) {
      const next = canonicalAddress(forwarded[i]);
      if (next === null) break; // garbage a client wrote: stop at the last address a proxy vouched for
      address = next;
    }
  } else {
    // Walk right to left while the hop we stand on is a trusted proxy.
    for (let i = forwarded.length - 1; i >= 0 && isTrustedPeer(trust, address); i--) {
      const next = canonicalAddress(forwarded[i]);
      if (next === null) break;
      address = next;
    }
  }
  // The proxy nearest to us says which scheme the client used (nginx: X-Forwarded-Proto $scheme).
  const proto = (headers.get("x-forwarded-proto") ?? "").split(",").pop()?.trim().toLowerCase();
  const https = proto === "https" ? true : proto === "http" ? false : direct.https;
  return { address, https };
}

/** The client's address (see resolveClient); null when unknown. The key for per-client limits. */
export function clientAddress(peer: Peer, headers: HeaderSource, trust?: TrustProxy): string | null {
  return resolveClient(peer, headers, trust).address;
}

/** The subset of node:http's IncomingMessage this module reads. */
export interface NodeRequestLike {
  headers: Record<string, string | string[] | undefined>;
  socket: { remoteAddress?: string; encrypted?: boolean };
}

function nodeHeaderSource(req: NodeRequestLike): HeaderSource {
  return {
    get(name) {
      const v = req.headers[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(",") : v;
    },
  };
}

/** resolveClient for a Node request (the server's socket and headers). */
export function clientOfNodeRequest(req: NodeRequestLike, trust?: TrustProxy): ClientInfo {
  return resolveClient(
    { address: req.socket.remoteAddress, encrypted: req.socket.encrypted === true },
    nodeHeaderSource(req),
    trust,
  );
}

/**
 * Replace the forwarding headers of a Node request with the resolved client, before a framework that
 * believes them (Astro takes Astro.clientAddress from the first X-Forwarded-For entry and the URL's
 * scheme from X-Forwarded-Proto) sees it. X-Forwarded-Host/-Port are dropped: the Host header names the site.
 */
export function settleForwardingHeaders(req: NodeRequestLike, client: ClientInfo) {
  delete req.headers["x-forwarded-for"];
  delete req.headers["x-forwarded-host"];
  delete req.headers["x-forwarded-port"];
  delete req.headers.forwarded;
  if (client.address) req.headers["x-forwarded-for"] = client.address;
  req.headers["x-forwarded-proto"] = client.https ? "https" : "http";
}
