import { BlockList, isIP } from "node:net";
import { canonicalAddress } from "./trust-proxy";

// A configured list of addresses and CIDR blocks (e.g. RATE_LIMIT_EXEMPT=10.1.0.0/16,192.0.2.7,::1).

export interface AddressList {
  ranges: string[];
  has(address: string | null): boolean;
}

export class AddressListError extends Error {}

export const EMPTY_ADDRESS_LIST: AddressList = { ranges: [], has: () => false };

/** Parse a comma-separated list; throws AddressListError naming the bad entry. */
export function parseAddressList(value: string | undefined): AddressList {
  const v = (value ?? "").trim();
  if (v === "") return EMPTY_ADDRESS_LIST;
  const list = new BlockList();
  const ranges: string[] = [];
  for (const raw of v.split(",")) {
    const item = raw.trim();
    if (item === "") continue;
    const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(item);
    const family = m ? isIP(m[1] as string) : 0;
    if (!m || family === 0) throw new AddressListError(`"${item}" is not an address or CIDR (e.g. 10.0.0.0/8, ::1)`);
    const max = family === 4 ? 32 : 128;
    const prefix = m[2] === undefined ? max : Number(m[2]);
    if (prefix > max) throw new AddressListError(`"${item}": prefix longer than /${max}`);
    list.addSubnet(m[1] as string, prefix, family === 4 ? "ipv4" : "ipv6");
    ranges.push(`${m[1]}/${prefix}`);
  }
  return {
    ranges,
    has(address) {
      const a = canonicalAddress(address);
      if (a === null) return false;
      return list.check(a, isIP(a) === 4 ? "ipv4" : "ipv6");
    },
  };
}
