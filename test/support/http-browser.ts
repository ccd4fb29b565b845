/**
 * A small browser for HTTP-level tests: a cookie jar per host honouring Path,
 * redirects followed by hand, and the one POST form of a page submitted as a
 * person would (auto-POST pages, the chooser, the demo IdP's login form).
 */
export function unescapeHtml(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|#39);/g, (_m, entity: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[entity] ?? "");
}

/** Cookies per host (browsers do not separate cookies by port), honouring Path. */
export class CookieJar {
  private readonly cookies = new Map<string, Map<string, { value: string; path: string }>>();

  store(url: string, response: Response): void {
    const host = new URL(url).hostname;
    const forHost = this.cookies.get(host) ?? new Map<string, { value: string; path: string }>();
    this.cookies.set(host, forHost);
    for (const header of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = header.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const path = attributes.map((a) => a.trim()).find((a) => /^path=/i.test(a))?.slice(5) ?? "/";
      const expired = attributes.some((a) => /^\s*max-age=(0|-)/i.test(a));
      if (expired) forHost.delete(name);
      else forHost.set(name, { value, path });
    }
  }

  header(url: string): string | undefined {
    const { hostname, pathname } = new URL(url);
    const matching = [...(this.cookies.get(hostname) ?? new Map<string, { value: string; path: string }>()).entries()].filter(
      ([, cookie]) => pathname === cookie.path || pathname.startsWith(cookie.path.endsWith("/") ? cookie.path : `${cookie.path}/`),
    );
    return matching.length === 0 ? undefined : matching.map(([name, cookie]) => `${name}=${cookie.value}`).join("; ");
  }

  names(): string[] {
    return [...this.cookies.values()].flatMap((forHost) => [...forHost.keys()]);
  }
}

export interface Page {
  url: string;
  status: number;
  location: string | undefined;
  body: string;
}

export class Browser {
  readonly jar = new CookieJar();

  async get(url: string): Promise<Page> {
    return this.send(url, { method: "GET" });
  }

  async post(url: string, fields: Record<string, string>): Promise<Page> {
    return this.send(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
  }

  /** Follows 303/302 redirects by hand, as a browser would, carrying cookies. */
  async follow(page: Page): Promise<Page> {
    let current = page;
    for (let hops = 0; current.status >= 300 && current.status < 400; hops++) {
      if (hops > 5) throw new Error("too many redirects");
      if (!current.location) throw new Error(`redirect without Location from ${current.url}`);
      current = await this.get(new URL(current.location, current.url).toString());
    }
    return current;
  }

  /** Submits the page's one POST form (the auto-POST pages, the chooser and the IdP login form). */
  async submit(page: Page, extra: Record<string, string> = {}): Promise<Page> {
    const form = /<form method="post" action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(page.body);
    if (!form) throw new Error(`no form on the page from ${page.url} (${page.status}): ${page.body.slice(0, 300)}`);
    const fields: Record<string, string> = {};
    for (const input of (form[2] ?? "").matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\s*\/?>/g)) {
      fields[unescapeHtml(input[1] ?? "")] = unescapeHtml(input[2] ?? "");
    }
    const action = new URL(unescapeHtml(form[1] ?? ""), page.url).toString();
    return this.follow(await this.post(action, { ...fields, ...extra }));
  }

  private async send(url: string, init: RequestInit): Promise<Page> {
    const cookie = this.jar.header(url);
    const headers = new Headers(init.headers);
    if (cookie) headers.set("cookie", cookie);
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    this.jar.store(url, response);
    return { url, status: response.status, location: response.headers.get("location") ?? undefined, body: await response.text() };
  }
}

