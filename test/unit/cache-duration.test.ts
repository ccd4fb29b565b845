import { describe, expect, it } from "vitest";
import { durationMs, nextRefreshMs } from "../../src/trust/cache-duration.js";

describe("metadata cacheDuration", () => {
  it("reads xs:durations", () => {
    expect(durationMs("PT6H")).toBe(6 * 3_600_000);
    expect(durationMs("P1D")).toBe(86_400_000);
    expect(durationMs("P1DT30M")).toBe(86_400_000 + 30 * 60_000);
    expect(durationMs("PT1.5S")).toBe(1500);
    for (const bad of ["", "P", "PT", "6H", "P1H", "-PT1H", "PT1H junk"]) expect(durationMs(bad)).toBeUndefined();
  });

  it("waits the shortest of the interval, cacheDuration and half the time to validUntil, within 1 minute and 24 hours", () => {
    const now = Date.UTC(2026, 11, 5);
    expect(nextRefreshMs(3_600_000, undefined, undefined, now)).toBe(3_600_000);
    expect(nextRefreshMs(3_600_000, 600_000, undefined, now)).toBe(600_000);
    expect(nextRefreshMs(3_600_000, undefined, new Date(now + 1_200_000), now)).toBe(600_000);
    expect(nextRefreshMs(3_600_000, 1_000, undefined, now)).toBe(60_000);
    expect(nextRefreshMs(3_600_000, undefined, new Date(now - 1), now)).toBe(60_000);
    expect(nextRefreshMs(10 * 86_400_000, undefined, undefined, now)).toBe(86_400_000);
  });
});
