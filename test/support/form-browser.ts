/**
 * A small browser for driving the demo over real HTTP: a cookie jar per host
 * (browsers do not separate cookies by port), redirects followed by hand, and
 * the page's one POST form submitted with its hidden fields.
 */
export interface Page {
  url: string;
  status: number;
  location: string | undefined;
  body: string;
}

export function unescapeHtml(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|#39);/g, (_m, entity: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[entity] ?? "");
}

/** The hidden fields and target of the page's one POST form. */
export function formOf(page: Page): { action: string; fields: Record<string, string> } {
  const form = /<form method="post" action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(page.body);
  if (!form) throw new Error(`no form on the page from ${page.url} (${page.status}): ${page.body.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const input of (form[2] ?? "").matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescapeHtml(input[1] ?? "")] = unescapeHtml(input[2] ?? "");
  return { action: new URL(unescapeHtml(form[1] ?? ""), page.url).toString(), fields };
}

export class FormBrowser {
  private readonly cookies = new Map<string, Map<string, { value: string; path: string }>>();

  async get(url: string): Promise<Page> {
    return this.send(url, { method: "GET" });
  }

  async post(url: string, fields: Record<string, string>): Promise<Page> {
    return this.send(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
  }

  async follow(page: Page): Promise<Page> {
    let current = page;
    for (let hops = 0; current.status >= 300 && current.status < 400; hops++) {
      if (hops > 5) throw new Error("too many redirects");
      if (!current.location) throw new Error(`redirect without Location from ${current.url}`);
      current = await this.get(new URL(current.location, current.url).toString());
    }
    return current;
  }

  async submit(page: Page, extra: Record<string, string> = {}): Promise<Page> {
    const { action, fields } = formOf(page);
    return this.follow(await this.post(action, { ...fields, ...extra }));
  }

  private cookieHeader(url: string): string | undefined {
    const { hostname, pathname } = new URL(url);
    const matching = [...(this.cookies.get(hostname)?.entries() ?? [])].filter(
      ([, cookie]) => pathname === cookie.path || pathname.startsWith(cookie.path.endsWith("/") ? cookie.path : `${cookie.path}/`),
    );
    return matching.length === 0 ? undefined : matching.map(([name, cookie]) => `${name}=${cookie.value}`).join("; ");
  }

  private keepCookies(url: string, response: Response): void {
    const host = new URL(url).hostname;
    const forHost = this.cookies.get(host) ?? new Map<string, { value: string; path: string }>();
    this.cookies.set(host, forHost);
    for (const header of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = header.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const path = attributes.map((a) => a.trim()).find((a) => /^path=/i.test(a))?.slice(5) ?? "/";
      if (attributes.some((a) => /^\s*max-age=(0|-)/i.test(a))) forHost.delete(name);
      else forHost.set(name, { value: pair.slice(eq + 1).trim(), path });
    }
  }

  private async send(url: string, init: RequestInit): Promise<Page> {
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(url);
    if (cookie) headers.set("cookie", cookie);
    const response = await fetch(url, { ...init, headers, redirect: "manual", signal: AbortSignal.timeout(20_000) });
    this.keepCookies(url, response);
    return { url, status: response.status, location: response.headers.get("location") ?? undefined, body: await response.text() };
  }
}
