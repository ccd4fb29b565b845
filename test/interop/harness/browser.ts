/**
 * A scripted browser: keeps cookies (per host, path, expiry), follows redirects, submits the auto-POST forms
 * of the SAML HTTP-POST binding, fills a username/password form, and picks a municipality on the broker's
 * chooser. Every hop is recorded, and so is every SAMLRequest/SAMLResponse it carried, so that a test can
 * look at the exact messages the parties exchanged.
 */

export interface HtmlForm {
  action: string;
  method: "get" | "post";
  fields: Record<string, string>;
  /** Submit buttons: name, value and label. */
  buttons: Array<{ name: string; value: string; label: string }>;
}

export interface Hop {
  method: "GET" | "POST";
  url: string;
  status: number;
  location?: string;
  /** Form fields sent with a POST. */
  sent?: Record<string, string>;
}

export interface BrowserPage {
  url: string;
  status: number;
  body: string;
}

export interface LoginScript {
  /** Credentials for a login form; without them the navigation stops at a login form. */
  username?: string;
  password?: string;
  /** Button value to press on a municipality chooser (a form whose buttons are named "idp"). */
  municipality?: string;
  /** Called before every form POST; may change the fields (to tamper with a message in transit). */
  beforePost?: (url: string, fields: Record<string, string>) => Promise<Record<string, string>>;
  /** Bound on the number of requests of one navigation. */
  maxHops?: number;
}

interface Cookie {
  name: string;
  value: string;
  host: string;
  path: string;
  expires: number | undefined;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", "#39": "'", nbsp: "\u00a0" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+|#39);/gi, (whole, name: string) => {
    if (name.startsWith("#x") || name.startsWith("#X")) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

function attributesOf(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  const pattern = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  const inner = tag.replace(/^<\s*[a-zA-Z]+/, "").replace(/\/?>$/, "");
  for (const match of inner.matchAll(pattern)) {
    const name = match[1]!.toLowerCase();
    if (name in out) continue;
    out[name] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? "");
  }
  return out;
}

/** The forms of an HTML page: hidden and text inputs with their values, and the submit buttons. */
export function parseForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const match of html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form\s*>/gi)) {
    const open = /<form\b[^>]*>/i.exec(match[0])![0];
    const attrs = attributesOf(open);
    const form: HtmlForm = {
      action: attrs["action"] ?? "",
      method: (attrs["method"] ?? "get").toLowerCase() === "post" ? "post" : "get",
      fields: {},
      buttons: [],
    };
    const body = match[1] ?? "";
    for (const tag of body.matchAll(/<button\b[^>]*>([\s\S]*?)<\/button\s*>/gi)) {
      const a = attributesOf(/<button\b[^>]*>/i.exec(tag[0])![0]);
      if ((a["type"] ?? "submit").toLowerCase() !== "submit") continue;
      form.buttons.push({ name: a["name"] ?? "", value: a["value"] ?? "", label: (tag[1] ?? "").replace(/<[^>]*>/g, "").trim() });
    }
    for (const tag of body.matchAll(/<input\b[^>]*>/gi)) {
      const a = attributesOf(tag[0]);
      const type = (a["type"] ?? "text").toLowerCase();
      if (type === "submit" || type === "image") {
        form.buttons.push({ name: a["name"] ?? "", value: a["value"] ?? "", label: a["value"] ?? "" });
        continue;
      }
      if (!a["name"]) continue;
      if ((type === "checkbox" || type === "radio") && !("checked" in a)) continue;
      if (!(a["name"] in form.fields)) form.fields[a["name"]] = a["value"] ?? "";
    }
    forms.push(form);
  }
  return forms;
}

export class ScriptedBrowser {
  private cookies: Cookie[] = [];
  readonly hops: Hop[] = [];
  /** Every SAML message the browser carried, in order: which field, to where, decoded (base64 only). */
  readonly samlMessages: Array<{ field: "SAMLRequest" | "SAMLResponse"; to: string; method: "GET" | "POST"; value: string; relayState?: string }> = [];

  constructor(private readonly timeoutMs = 15_000) {}

  cookieNames(host: string): string[] {
    return this.cookies.filter((c) => c.host === host).map((c) => c.name);
  }

  private cookieHeader(url: URL): string | undefined {
    const now = Date.now();
    this.cookies = this.cookies.filter((c) => c.expires === undefined || c.expires > now);
    const matching = this.cookies
      .filter((c) => c.host === url.hostname && (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`)))
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length > 0 ? matching.map((c) => `${c.name}=${c.value}`).join("; ") : undefined;
  }

  private storeCookies(url: URL, setCookies: string[]): void {
    for (const header of setCookies) {
      const [pair, ...attributes] = header.split(";");
      const eq = pair!.indexOf("=");
      if (eq <= 0) continue;
      const cookie: Cookie = {
        name: pair!.slice(0, eq).trim(),
        value: pair!.slice(eq + 1).trim(),
        host: url.hostname,
        path: url.pathname.replace(/\/[^/]*$/, "") || "/",
        expires: undefined,
      };
      for (const attribute of attributes) {
        const [rawKey, ...rest] = attribute.split("=");
        const key = rawKey!.trim().toLowerCase();
        const value = rest.join("=").trim();
        if (key === "path" && value.startsWith("/")) cookie.path = value;
        else if (key === "max-age") cookie.expires = Date.now() + Number(value) * 1000;
        else if (key === "expires" && cookie.expires === undefined) cookie.expires = Date.parse(value);
        else if (key === "domain" && value !== "" && value.replace(/^\./, "") !== url.hostname) cookie.host = "";
        // Secure over http: a browser drops such a cookie. Keep that behaviour: it is a real interop trap.
        else if (key === "secure" && url.protocol === "http:") cookie.host = "";
      }
      this.cookies = this.cookies.filter((c) => !(c.name === cookie.name && c.host === cookie.host && c.path === cookie.path));
      if (cookie.host !== "" && (cookie.expires === undefined || cookie.expires > Date.now())) this.cookies.push(cookie);
    }
  }

  private recordSaml(method: "GET" | "POST", url: URL, fields: Record<string, string>): void {
    for (const field of ["SAMLRequest", "SAMLResponse"] as const) {
      const value = fields[field];
      if (value === undefined) continue;
      const entry: (typeof this.samlMessages)[number] = {
        field,
        to: `${url.origin}${url.pathname}`,
        method,
        value: method === "POST" ? Buffer.from(value, "base64").toString("utf8") : value,
      };
      if (fields["RelayState"] !== undefined) entry.relayState = fields["RelayState"];
      this.samlMessages.push(entry);
    }
  }

  /** One HTTP request, no redirect following. */
  async request(method: "GET" | "POST", target: string, fields?: Record<string, string>): Promise<{ status: number; location: string | undefined; body: string; url: string }> {
    const url = new URL(target);
    const headers: Record<string, string> = { "user-agent": "interop-scripted-browser/1", accept: "text/html,*/*" };
    const cookie = this.cookieHeader(url);
    if (cookie) headers["cookie"] = cookie;
    let body: string | undefined;
    if (method === "POST") {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(fields ?? {}).toString();
      this.recordSaml("POST", url, fields ?? {});
    } else {
      this.recordSaml("GET", url, Object.fromEntries(url.searchParams));
    }
    const response = await fetch(url, { method, headers, body, redirect: "manual", signal: AbortSignal.timeout(this.timeoutMs) });
    this.storeCookies(url, response.headers.getSetCookie());
    const text = await response.text();
    const location = response.headers.get("location") ?? undefined;
    const hop: Hop = { method, url: url.toString(), status: response.status };
    if (location !== undefined) hop.location = location;
    if (method === "POST" && fields) hop.sent = fields;
    this.hops.push(hop);
    return { status: response.status, location: location === undefined ? undefined : new URL(location, url).toString(), body: text, url: url.toString() };
  }

  /**
   * Navigates to `start` and follows redirects and auto-POST SAML forms only; stops at the first page
   * that asks for anything else (a login form included).
   */
  navigate(start: string, maxHops = 25): Promise<BrowserPage> {
    return this.login(start, { maxHops });
  }

  /**
   * Navigates to `start` and keeps going like a person with a browser would: follow redirects, submit
   * auto-POST forms, log in, choose the municipality. Stops at the first page that asks for nothing.
   */
  async login(start: string, script: LoginScript): Promise<BrowserPage> {
    const maxHops = script.maxHops ?? 25;
    let method: "GET" | "POST" = "GET";
    let target = start;
    let fields: Record<string, string> | undefined;
    let loggedIn = false;
    for (let hop = 0; hop < maxHops; hop++) {
      if (method === "POST" && fields && script.beforePost) fields = await script.beforePost(target, fields);
      const answer = await this.request(method, target, fields);
      if (answer.status >= 300 && answer.status < 400 && answer.location) {
        method = "GET";
        target = answer.location;
        fields = undefined;
        continue;
      }
      const next = answer.status === 200 ? this.nextStep(answer.url, answer.body, script, loggedIn) : undefined;
      if (!next) return { url: answer.url, status: answer.status, body: answer.body };
      if (next.isLogin) loggedIn = true;
      method = next.method;
      target = next.target;
      fields = next.fields;
    }
    throw new Error(`no final page after ${maxHops} requests:\n${this.describeHops()}`);
  }

  private nextStep(url: string, body: string, script: LoginScript, loggedIn: boolean): { method: "GET" | "POST"; target: string; fields: Record<string, string>; isLogin: boolean } | undefined {
    const forms = parseForms(body);
    const submit = (form: HtmlForm, fields: Record<string, string>, isLogin = false) => ({
      method: form.method === "post" ? ("POST" as const) : ("GET" as const),
      target: new URL(form.action || url, url).toString(),
      fields,
      isLogin,
    });
    const saml = forms.find((f) => "SAMLResponse" in f.fields || "SAMLRequest" in f.fields);
    if (saml) return submit(saml, saml.fields);
    const chooser = forms.find((f) => f.buttons.some((b) => b.name === "idp"));
    if (chooser && script.municipality !== undefined) {
      const button = chooser.buttons.find((b) => b.name === "idp" && b.value === script.municipality);
      if (!button) throw new Error(`the chooser at ${url} does not offer ${script.municipality}: ${chooser.buttons.map((b) => b.value).join(", ")}`);
      return submit(chooser, { ...chooser.fields, idp: button.value });
    }
    const login = forms.find((f) => "password" in f.fields);
    if (login) {
      // a second login form after submitting credentials means they were refused: stop and show it
      if (loggedIn || script.username === undefined) return undefined;
      return submit(login, { ...login.fields, username: script.username, password: script.password ?? "" }, true);
    }
    return undefined;
  }

  describeHops(): string {
    return this.hops.map((h) => `  ${h.method} ${h.url.slice(0, 160)} -> ${h.status}${h.location ? ` ${h.location.slice(0, 120)}` : ""}`).join("\n");
  }
}
