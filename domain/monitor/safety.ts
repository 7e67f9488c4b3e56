import { isIP } from "node:net";

// Outbound safety of the fetcher. Sources are typed in by people, so a URL must never reach into the
// server's own network: only http(s); an address that is loopback, private, link-local, shared (CGNAT),
// multicast or otherwise not public is refused unless the host or address is on MONITOR_ALLOW_HOSTS.
// The check runs on the address the connection actually uses (after DNS resolution, in the socket's
// lookup), so a name that resolves to 127.0.0.1 — or changes its answer between two lookups — is caught,
// and again on every redirect. Pure functions; fetch.ts wires them into the request.

export class RefusedAddressError extends Error {}

/** One entry of MONITOR_ALLOW_HOSTS: a host name, an IP address, or an IPv4/IPv6 CIDR block. */
export type AllowEntry = { kind: "host"; host: string } | { kind: "cidr"; family: 4 | 6; bits: bigint; prefix: number };

export function parseAllowList(text: string | undefined): AllowEntry[] {
  const out: AllowEntry[] = [];
  for (const raw of (text ?? "").split(",")) {
    const item = raw.trim().toLowerCase();
    if (!item) continue;
    const [addr, prefixText] = item.split("/");
    const family = isIP(stripBrackets(addr));
    if (family) {
      const max = family === 4 ? 32 : 128;
      const prefix = prefixText === undefined ? max : Number(prefixText);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new Error(`bad CIDR prefix in "${raw}"`);
      out.push({ kind: "cidr", family: family as 4 | 6, bits: addressBits(stripBrackets(addr)), prefix });
    } else {
      if (prefixText !== undefined || !/^[a-z0-9.-]+$/.test(item))
        throw new Error(`not a host name or address: "${raw}"`);
      out.push({ kind: "host", host: item });
    }
  }
  return out;
}

const stripBrackets = (h: string) => (h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h);

/** The address as an unsigned integer (32 bits for IPv4, 128 for IPv6). */
export function addressBits(ip: string): bigint {
  if (isIP(ip) === 4) return ip.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  // IPv6: expand "::" and an embedded dotted IPv4 tail.
  let text = ip.toLowerCase();
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  const v4tail = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4tail) {
    const v = addressBits(v4tail[1]);
    text = `${text.slice(0, -v4tail[1].length)}${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split("::");
  const h = head ? head.split(":") : [];
  const t = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g || "0", 16)), 0n);
}

function inBlock(bits: bigint, width: number, block: bigint, prefix: number): boolean {
  const shift = BigInt(width - prefix);
  return bits >> shift === block >> shift;
}

const V4_BLOCKED: [string, number][] = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // shared address space (CGNAT)
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata lives here)
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24], // documentation
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];
const V6_BLOCKED: [string, number][] = [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
  ["2001:db8::", 32], // documentation
  ["100::", 64], // discard
];

/** Whether an address is anything but a public unicast address. */
export function isNonPublicAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) {
    const bits = addressBits(ip);
    return V4_BLOCKED.some(([net, prefix]) => inBlock(bits, 32, addressBits(net), prefix));
  }
  if (family === 6) {
    const bits = addressBits(ip);
    // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96) carry an IPv4 address.
    const embedded =
      inBlock(bits, 128, addressBits("::ffff:0:0"), 96) ||
      inBlock(bits, 128, addressBits("64:ff9b::"), 96) ||
      (bits >> 32n === 0n && bits > 1n);
    if (embedded) {
      const v4 = Number(bits & 0xffffffffn);
      return isNonPublicAddress([v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255].join("."));
    }
    return V6_BLOCKED.some(([net, prefix]) => inBlock(bits, 128, addressBits(net), prefix));
  }
  return true; // not an address at all: never connect to it
}

/** Whether a host (as in the URL) or the address it resolved to is on the allow-list. */
export function isAllowed(allow: AllowEntry[], host: string, address: string): boolean {
  const h = stripBrackets(host.toLowerCase());
  const family = isIP(address);
  for (const e of allow) {
    if (e.kind === "host" && e.host === h) return true;
    if (e.kind === "cidr" && e.family === family) {
      if (inBlock(addressBits(address), family === 4 ? 32 : 128, e.bits, e.prefix)) return true;
    }
  }
  return false;
}

/** Throws RefusedAddressError when connecting to `address` (for `host`) is not allowed. */
export function assertConnectable(allow: AllowEntry[], host: string, address: string): void {
  if (isNonPublicAddress(address) && !isAllowed(allow, host, address)) {
    throw new RefusedAddressError(`拒绝访问内网或本机地址 ${address}（主机 ${stripBrackets(host)}）`);
  }
}

/** The URL if it may be fetched at all (scheme, no credentials, a host); a reason otherwise. */
export function checkUrl(text: string): { ok: true; url: URL } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: "不是有效的网址" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, reason: "只允许 http 或 https 网址" };
  if (url.username || url.password) return { ok: false, reason: "网址中不能含用户名或密码" };
  if (!url.hostname) return { ok: false, reason: "网址缺少主机名" };
  return { ok: true, url };
}
