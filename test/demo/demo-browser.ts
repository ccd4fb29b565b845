/** The demo fagsystem's result page, read as a person reads it; the fetch browser itself is test/support/http-browser.ts. */
import { unescapeHtml } from "../support/http-browser.js";

export { Browser, CookieJar, unescapeHtml, type Page } from "../support/http-browser.js";

/** The attribute table on the demo fagsystem's result page: name → values (privileges already decoded). */
export function shownAttributes(body: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const row of body.matchAll(/<tr><td><code>([^<]*)<\/code><\/td><td>([\s\S]*?)<\/td><\/tr>/g)) {
    const values = [...(row[2] ?? "").matchAll(/<pre>([\s\S]*?)<\/pre>/g)].map((v) => unescapeHtml(v[1] ?? ""));
    out.set(unescapeHtml(row[1] ?? ""), values);
  }
  return out;
}
