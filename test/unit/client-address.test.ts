import { describe, expect, it } from "vitest";
import { clientAddress, resolveClient } from "../../lib/client-address";
import { ConfigError, parseEnv } from "../../lib/env";
import { canonicalAddress, parseTrustProxy, TRUST_NOBODY } from "../../lib/trust-proxy";

const headers = (h: Record<string, string>) => new Headers(h);

describe("TRUST_PROXY parsing", () => {
  it("accepts nothing, a hop count, addresses and CIDRs", () => {
    expect(parseTrustProxy(undefined).kind).toBe("none");
    expect(parseTrustProxy("0").kind).toBe("none");
    expect(parseTrustProxy("1")).toEqual({ kind: "hops", hops: 1 });
    const cidrs = parseTrustProxy("127.0.0.1, 10.0.0.0/8,::1,fd00::/8");
    expect(cidrs.kind === "cidrs" && cidrs.ranges).toEqual(["127.0.0.1/32", "10.0.0.0/8", "::1/128", "fd00::/8"]);
  });

  it.each(["yes", "10.0.0.0/33", "::1/129", "nginx", "1.2.3", "11", "10.0.0.0/8,,"])(
    "a malformed value (%s) stops start-up naming TRUST_PROXY",
    (value) => {
      expect(() => parseEnv({ TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => parseEnv({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
    },
  );

  it("parses through the env module", () => {
    expect(parseEnv({}).TRUST_PROXY.kind).toBe("none");
    expect(parseEnv({ TRUST_PROXY: "2" }).TRUST_PROXY).toEqual({ kind: "hops", hops: 2 });
  });
});

describe("canonical addresses", () => {
  it.each([
    ["::ffff:203.0.113.9", "203.0.113.9"],
    ["203.0.113.9:51234", "203.0.113.9"],
    ["[2001:DB8::1]:443", "2001:db8::1"],
    ["fe80::1%eth0", "fe80::1"],
    ["unknown", null],
    ["", null],
    ["1.2.3.4, 5.6.7.8", null],
  ])("%s → %s", (raw, expected) => {
    expect(canonicalAddress(raw)).toBe(expected);
  });
});

describe("client address and scheme", () => {
  const spoofed = headers({ "x-forwarded-for": "198.51.100.77", "x-forwarded-proto": "https" });

  it("without a trusted proxy the socket decides and forwarding headers are ignored", () => {
    expect(resolveClient({ address: "203.0.113.5" }, spoofed, TRUST_NOBODY)).toEqual({
      address: "203.0.113.5",
      https: false,
    });
    expect(resolveClient({ address: "::ffff:203.0.113.5", encrypted: true }, spoofed, TRUST_NOBODY)).toEqual({
      address: "203.0.113.5",
      https: true,
    });
  });

  it("a peer outside the trusted CIDRs cannot forward", () => {
    const trust = parseTrustProxy("127.0.0.1/32");
    expect(resolveClient({ address: "203.0.113.5" }, spoofed, trust)).toEqual({ address: "203.0.113.5", https: false });
  });

  it("a trusted proxy's header names the client; what the client prepended is ignored", () => {
    const trust = parseTrustProxy("127.0.0.1,10.0.0.0/8");
    const h = headers({ "x-forwarded-for": "1.1.1.1, 198.51.100.77, 10.0.0.3", "x-forwarded-proto": "https" });
    expect(resolveClient({ address: "127.0.0.1" }, h, trust)).toEqual({ address: "198.51.100.77", https: true });
    // No header from a trusted proxy: the proxy itself is the client.
    expect(clientAddress({ address: "127.0.0.1" }, headers({}), trust)).toBe("127.0.0.1");
  });

  it("a hop count takes the Nth entry from the right", () => {
    const h = headers({ "x-forwarded-for": "6.6.6.6, 198.51.100.77", "x-forwarded-proto": "http" });
    expect(resolveClient({ address: "10.1.1.1", encrypted: true }, h, parseTrustProxy("1"))).toEqual({
      address: "198.51.100.77",
      https: false,
    });
    expect(clientAddress({ address: "10.1.1.1" }, h, parseTrustProxy("2"))).toBe("6.6.6.6");
    // More hops than entries: the leftmost entry.
    expect(clientAddress({ address: "10.1.1.1" }, h, parseTrustProxy("5"))).toBe("6.6.6.6");
  });

  it("garbage in the header stops the walk at the last address a proxy vouched for", () => {
    const h = headers({ "x-forwarded-for": "'; DROP TABLE x, 198.51.100.77" });
    expect(clientAddress({ address: "127.0.0.1" }, h, parseTrustProxy("3"))).toBe("198.51.100.77");
    expect(
      clientAddress({ address: "127.0.0.1" }, headers({ "x-forwarded-for": "nonsense" }), parseTrustProxy("1")),
    ).toBe("127.0.0.1");
  });

  it("an in-process request has no address", () => {
    expect(resolveClient({}, headers({}), TRUST_NOBODY)).toEqual({ address: null, https: false });
  });
});
