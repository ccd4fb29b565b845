/**
 * Selecting a municipality's IdP by the client's IP address: each IdP may
 * list CIDR ranges (its municipality's networks); a client inside the ranges
 * of exactly one IdP goes there without the chooser, as the real Context
 * Handler's "IpAdresser" do. The address is the one the broker sees.
 */
import { BlockList, isIP } from "node:net";

const lists = new WeakMap<readonly string[], BlockList>();

function blockListFor(ranges: readonly string[]): BlockList {
  let list = lists.get(ranges);
  if (!list) {
    list = new BlockList();
    for (const range of ranges) {
      const [network = "", prefix = ""] = range.split("/");
      const family = isIP(network) === 6 ? "ipv6" : "ipv4";
      list.addSubnet(network, Number(prefix), family);
    }
    lists.set(ranges, list);
  }
  return list;
}

/** The address without an IPv4-mapped IPv6 prefix (::ffff:10.1.2.3 → 10.1.2.3); undefined when it is not an IP address. */
export function normaliseAddress(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  const plain = mapped ? mapped[1]! : address;
  return isIP(plain) === 0 ? undefined : plain;
}

export function inRanges(address: string | undefined, ranges: readonly string[]): boolean {
  const normalised = normaliseAddress(address);
  if (normalised === undefined || ranges.length === 0) return false;
  return blockListFor(ranges).check(normalised, isIP(normalised) === 6 ? "ipv6" : "ipv4");
}

/** The one party whose ranges hold the address; undefined when none or several do. */
export function onlyPartyFor<T extends { policy: { clientIpRanges: readonly string[] } }>(parties: readonly T[], address: string | undefined): T | undefined {
  const matching = parties.filter((party) => inRanges(address, party.policy.clientIpRanges));
  return matching.length === 1 ? matching[0] : undefined;
}
