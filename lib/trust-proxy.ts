import { BlockList, isIP } from "node:net";

// Which reverse proxies may tell us the client's address and scheme (TRUST_PROXY). Without one, the
// socket's peer is the client and X-Forwarded-* headers are ignored: anyone can send them.
//
//   unset / 0        trust nobody (the server faces the Internet directly)
//   N (1–10)         N proxies stand in front of the server, each appending to X-Forwarded-For
//   CIDR[,CIDR…]     the peers in these networks are proxies (e.g. 127.0.0.1/32,10.0.0.0/8, ::1)

export type TrustProxy =
  | { kind: "none" }
  | { kind: "hops"; hops: number }
  | { kind: "cidrs"; ranges: string[]; list: BlockList };

export const TRUST_NOBODY: TrustProxy = { kind: "none" };

export class TrustProxyError extends Error {}

/** Parse a TRUST_PROXY value; throws TrustProxyError saying what is wrong. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const v = (value ?? "").trim();
  if (v === "" || v === "0" || v === "false") return TRUST_NOBODY;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > 10) throw new TrustProxyError("a hop count must be between 0 and 10");
    return { kind: "hops", hops };
  }
  const list = new BlockList();
  const ranges: string[] = [];
  for (const raw of v.split(",")) {
    const item = raw.trim();
    const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(item);
    const family = m ? isIP(m[1] as string) : 0;
    if (!m || family === 0) {
      throw new TrustProxyError(`"${item}" is neither a hop count nor an address or CIDR (e.g. 10.0.0.0/8, ::1)`);
    }
    const type = family === 4 ? "ipv4" : "ipv6";
    const max = family === 4 ? 32 : 128;
    const prefix = m[2] === undefined ? max : Number(m[2]);
    if (prefix > max) throw new TrustProxyError(`"${item}": prefix longer than /${max}`);
    list.addSubnet(m[1] as string, prefix, type);
    ranges.push(`${m[1]}/${prefix}`);
  }
  return { kind: "cidrs", ranges, list };
}

/**
 * An address in canonical form for comparison and counting: IPv4-mapped IPv6 (::ffff:1.2.3.4) becomes
 * the IPv4 address, a port or brackets a proxy may add ("1.2.3.4:5678", "[::1]:80") are dropped.
 * Null when it is not an IP address.
 */
export function canonicalAddress(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let s = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1] as string;
  else if (/^[\d.]+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(":"));
  const zone = s.indexOf("%");
  if (zone > 0) s = s.slice(0, zone);
  const family = isIP(s);
  if (family === 0) return null;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
    if (mapped) return mapped[1] as string;
    return s.toLowerCase();
  }
  return s;
}

/** Is this (canonical) address one of the trusted proxies' (CIDR form only). */
export function isTrustedPeer(trust: TrustProxy, address: string | null): boolean {
  if (trust.kind === "none" || address === null) return false;
  if (trust.kind === "hops") return trust.hops > 0;
  return trust.list.check(address, isIP(address) === 4 ? "ipv4" : "ipv6");
}
