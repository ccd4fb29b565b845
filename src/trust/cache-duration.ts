/**
 * When a party's metadata wants to be fetched again: its `cacheDuration`
 * (SAML metadata §2.3.2, an xs:duration such as PT6H or P1D on the root
 * element), and before its `validUntil` runs out. The broker's own interval
 * is the longest it waits; the result is bounded to 1 minute – 24 hours.
 */
import { parseXml } from "../xml/xml-parser.js";
import { METADATA_XML_LIMITS } from "../saml/metadata-reader.js";

const MIN_MS = 60_000;
const MAX_MS = 86_400_000;

/** Milliseconds of an xs:duration (years as 365 days, months as 30), or undefined when it is not one. */
export function durationMs(value: string): number | undefined {
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value.trim());
  if (!match || value.trim() === "P" || value.trim().endsWith("T")) return undefined;
  const [, years, months, days, hours, minutes, seconds] = match.map((part) => (part === undefined ? 0 : Number(part)));
  return ((((years! * 365 + months! * 30 + days!) * 24 + hours!) * 60 + minutes!) * 60 + seconds!) * 1000;
}

/** The root element's cacheDuration in a metadata document, if it has a readable one. */
export function cacheDurationOf(xml: string): number | undefined {
  try {
    const value = parseXml(xml, METADATA_XML_LIMITS, { allowCommentsOutsideRoot: true }).documentElement.getAttribute("cacheDuration");
    return value ? durationMs(value) : undefined;
  } catch {
    return undefined;
  }
}

/** How long to wait before fetching again: the interval, shortened by cacheDuration and by half the time left before validUntil. */
export function nextRefreshMs(intervalMs: number, cacheDuration: number | undefined, validUntil: Date | undefined, nowMs: number): number {
  let wait = intervalMs;
  if (cacheDuration !== undefined) wait = Math.min(wait, cacheDuration);
  if (validUntil !== undefined) wait = Math.min(wait, (validUntil.getTime() - nowMs) / 2);
  return Math.min(MAX_MS, Math.max(MIN_MS, wait));
}
