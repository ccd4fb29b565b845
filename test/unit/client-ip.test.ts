import { describe, expect, it } from "vitest";
import { inRanges, normaliseAddress, onlyPartyFor } from "../../src/trust/client-ip.js";

describe("selecting an IdP by the client's address", () => {
  const party = (id: string, clientIpRanges: string[]) => ({ id, policy: { clientIpRanges } });
  const a = party("a", ["10.20.0.0/16", "2001:db8:a::/48"]);
  const b = party("b", ["10.30.0.0/16", "10.20.5.0/24"]);
  const none = party("none", []);

  it.each([
    ["10.20.1.1", "a"],
    ["::ffff:10.20.1.1", "a"],
    ["2001:db8:a::17", "a"],
    ["10.30.200.1", "b"],
    ["10.20.5.9", undefined], // in both a's and b's ranges: ask the person
    ["192.0.2.1", undefined],
    ["2001:db8:b::1", undefined],
    ["not-an-address", undefined],
    [undefined, undefined],
  ])("%s → %s", (address, expected) => {
    expect(onlyPartyFor([a, b, none], address)?.id).toBe(expected);
  });

  it("matches range edges exactly", () => {
    expect(inRanges("10.20.255.255", ["10.20.0.0/16"])).toBe(true);
    expect(inRanges("10.21.0.0", ["10.20.0.0/16"])).toBe(false);
    expect(inRanges("10.20.0.1", [])).toBe(false);
  });

  it("normalises IPv4-mapped IPv6 addresses", () => {
    expect(normaliseAddress("::FFFF:192.0.2.7")).toBe("192.0.2.7");
    expect(normaliseAddress("::1")).toBe("::1");
    expect(normaliseAddress("")).toBeUndefined();
  });
});
