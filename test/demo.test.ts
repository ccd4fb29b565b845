/**
 * The demo as a person would use it: the demo fagsystem, the broker and the
 * demo municipal IdP on real ports, driven with fetch and a small cookie jar
 * through every redirect and auto-POST form.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config/load-config.js";
import type { BrokerConfig } from "../src/config/schema.js";
import { runDemo, type RunningDemo } from "../src/demo/run-demo.js";
import { OIOSAML3 } from "../src/profiles/oiosaml3-attributes.js";
import { findExplanations, formatExplanation } from "../src/cli/explain-privileges.js";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function unescapeHtml(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|#39);/g, (_m, entity: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[entity] ?? "");
}

/** Cookies per host (browsers do not separate cookies by port), honouring Path. */
class CookieJar {
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

interface Page {
  url: string;
  status: number;
  location: string | undefined;
  body: string;
}

class Browser {
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
    for (const input of (form[2] ?? "").matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
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

/** The attribute table on the demo fagsystem's result page: name → values (privileges already decoded). */
function shownAttributes(body: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const row of body.matchAll(/<tr><td><code>([^<]*)<\/code><\/td><td>([\s\S]*?)<\/td><\/tr>/g)) {
    const values = [...(row[2] ?? "").matchAll(/<pre>([\s\S]*?)<\/pre>/g)].map((v) => unescapeHtml(v[1] ?? ""));
    out.set(unescapeHtml(row[1] ?? ""), values);
  }
  return out;
}

describe("the demo (npm start)", () => {
  let demo: RunningDemo;
  let brokerUrl: string;
  let workDir: string;
  let auditFile: string;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), "broker-demo-"));
    auditFile = join(workDir, "audit.jsonl");
    const [brokerPort, idpPort, spPort] = [await freePort(), await freePort(), await freePort()];
    brokerUrl = `http://127.0.0.1:${brokerPort}`;
    const shipped = loadConfig("config/demo", {});
    const keyDir = join(workDir, "keys");
    const config: BrokerConfig = {
      ...shipped,
      baseUrl: brokerUrl,
      port: brokerPort,
      log: { level: "silent" },
      keys: {
        ...shipped.keys,
        bits: 2048,
        signing: { key: join(keyDir, "broker-signing.key.pem"), cert: join(keyDir, "broker-signing.cert.pem") },
        encryption: { key: join(keyDir, "broker-encryption.key.pem"), cert: join(keyDir, "broker-encryption.cert.pem") },
      },
      audit: { file: auditFile },
      identityProviders: shipped.identityProviders.map((p) => ({ ...p, metadata: join(workDir, "metadata", "idps", `${p.id}.xml`) })),
      serviceProviders: shipped.serviceProviders.map((p) => ({ ...p, metadata: join(workDir, "metadata", "sps", `${p.id}.xml`) })),
      nemlogin: shipped.nemlogin && { ...shipped.nemlogin, metadata: join(workDir, "metadata", "nemlogin.xml") },
    };
    demo = await runDemo(config, { idp: idpPort, sp: spPort }, keyDir);
  });

  afterAll(async () => {
    await demo?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  /** Demo fagsystem → broker chooser → Demo Kommune → IdP login form, as far as choosing the user. */
  async function upToIdpLogin(browser: Browser): Promise<Page> {
    const start = await browser.get(`${demo.spUrl}/login`);
    expect(start.status).toBe(303);
    expect(start.location).toMatch(new RegExp(`^${brokerUrl}/saml/sso\\?SAMLRequest=`));

    const chooser = await browser.follow(start);
    expect(chooser.status).toBe(200);
    expect(chooser.url.startsWith(`${brokerUrl}/saml/sso?`)).toBe(true);
    expect(chooser.body).toContain("Vælg din kommune / Choose your municipality");
    expect(chooser.body).toContain('<button type="submit" name="idp" value="demo-kommune">Demo Kommune</button>');
    expect(browser.jar.names()).toContain("broker_login_bind");

    const idpForm = await browser.submit(chooser, { idp: "demo-kommune" });
    expect(idpForm.status).toBe(200);
    expect(idpForm.url.startsWith(`${demo.idpUrl}/sso?SAMLRequest=`)).toBe(true);
    expect(idpForm.body).toContain("<h1>Demo Kommune</h1>");
    expect(idpForm.body).toContain("<code>http://127.0.0.1:");
    expect(browser.jar.names()).toContain("broker_municipality");
    return idpForm;
  }

  /** Picks a user on the IdP form and follows the auto-POST pages to the demo fagsystem's ACS. */
  async function loginAs(browser: Browser, idpForm: Page, user: string): Promise<Page> {
    expect(idpForm.body).toContain(`name="user" value="${user}"`);
    const toBroker = await browser.submit(idpForm, { user });
    expect(toBroker.status).toBe(200);
    expect(toBroker.body).toContain(`action="${brokerUrl}/saml/acs"`);
    expect(toBroker.body).toContain('name="SAMLResponse"');

    const toSp = await browser.submit(toBroker);
    expect(toSp.status).toBe(200);
    expect(toSp.body).toContain(`action="${demo.spUrl}/acs"`);

    return browser.submit(toSp);
  }

  it("logs Hanne in at NSIS Substantial with the municipality's CVR and her privileges", async () => {
    const browser = new Browser();
    const result = await loginAs(browser, await upToIdpLogin(browser), "hanne");
    expect(result.url).toBe(`${demo.spUrl}/acs`);
    expect(result.status).toBe(200);
    expect(result.body).toContain("<h1>Logget ind / Logged in</h1>");
    expect(result.body).toContain("Niveau / level: <code>https://data.gov.dk/concept/core/nsis/loa/Substantial</code>");
    expect(result.body).toContain("RelayState: <code>demo-relay-state</code>");

    const attributes = shownAttributes(result.body);
    expect(attributes.get(OIOSAML3.cvr)).toEqual(["29189846"]);
    expect(attributes.get(OIOSAML3.orgName)).toEqual(["Demo Kommune"]);
    expect(attributes.get(OIOSAML3.loa)).toEqual(["Substantial"]);
    expect(attributes.get(OIOSAML3.uuidPersistent)).toEqual(["8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11"]);
    expect(attributes.get(OIOSAML3.specVersion)).toEqual(["OIO-SAML-3.0"]);
    const privileges = attributes.get(OIOSAML3.privilegesIntermediate) ?? [];
    expect(privileges).toHaveLength(1);
    // Her job-function role became the fagsystem's user-system role, with the KLE values the IdP sent
    // (parametric), in the digst.dk namespace; her canteen role has no mapping for this system.
    expect(privileges[0]).toBe(
      '<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">' +
        '<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846">' +
        "<Privilege>http://demo-fagsystem.dk/roles/usersystemrole/sagsbehandling/1</Privilege>" +
        '<Constraint Name="http://sts.kombit.dk/constraints/KLE/1">27.*</Constraint>' +
        '<Constraint Name="http://sts.kombit.dk/constraints/KLE/1">29.03.*</Constraint>' +
        "</PrivilegeGroup></bpp:PrivilegeList>",
    );
    expect(result.body).not.toContain("jobrole");
    expect(result.body).toContain("<li>http://demo-fagsystem.dk/roles/usersystemrole/sagsbehandling/1 — CVR 29189846 — http://sts.kombit.dk/constraints/KLE/1 = 27.*, 29.03.*</li>");
  });

  it("gives Peter the manager's and the delegated substitute's user-system roles, and explains the login by correlation id", async () => {
    const browser = new Browser();
    const result = await loginAs(browser, await upToIdpLogin(browser), "peter");
    expect(result.body).toContain("<h1>Logget ind / Logged in</h1>");
    const roles = [...result.body.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => unescapeHtml(m[1] ?? ""));
    expect(roles).toEqual([
      "http://demo-fagsystem.dk/roles/usersystemrole/godkendelse/1 — CVR 29189846 — http://sts.kombit.dk/constraints/orgenhed/1 = 6f0c2b7e-1d4a-4c3b-9a8e-2f1d0c9b8a71, 0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d",
      "http://demo-fagsystem.dk/roles/usersystemrole/laesning/1 — CVR 29189846",
      "http://demo-fagsystem.dk/roles/usersystemrole/sagsbehandling/1 — CVR 29189846 — http://sts.kombit.dk/constraints/KLE/1 = *",
      "http://demo-fagsystem.dk/roles/usersystemrole/laesning/1 — CVR 11223344",
    ]);
    const lines = readFileSync(auditFile, "utf8").trim().split("\n");
    const last = JSON.parse(lines[lines.length - 1] ?? "{}") as { correlationId: string };
    const explained = findExplanations(readFileSync(auditFile, "utf8"), last.correlationId);
    expect(explained).toHaveLength(1);
    const text = formatExplanation(explained[0]!);
    expect(text).toContain("fagsystem demo-fagsystem, IdP demo-kommune, CVR 29189846, person, NSIS High");
    expect(text).toContain("#3 http://nabo-kommune.dk/roles/jobrole/vikar/1 [CVR 11223344] (delegated) → http://demo-fagsystem.dk/roles/usersystemrole/laesning/1");
  });

  it("logs Sofie in at the Entra-like Sky Kommune, whose IdP sends no privileges: they come from its role catalogue", async () => {
    const browser = new Browser();
    const chooser = await browser.follow(await browser.get(`${demo.spUrl}/login`));
    expect(chooser.body).toContain('<button type="submit" name="idp" value="sky-kommune">Sky Kommune</button>');
    const idpForm = await browser.submit(chooser, { idp: "sky-kommune" });
    expect(idpForm.body).toContain("<h1>Sky Kommune</h1>");
    const toBroker = await browser.submit(idpForm, { user: "sofie" });
    const result = await browser.submit(await browser.submit(toBroker));
    expect(result.body).toContain("<h1>Logget ind / Logged in</h1>");
    const attributes = shownAttributes(result.body);
    expect(attributes.get(OIOSAML3.cvr)).toEqual(["33445566"]);
    expect(attributes.get(OIOSAML3.orgName)).toEqual(["Sky Kommune"]);
    const roles = [...result.body.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => unescapeHtml(m[1] ?? ""));
    // Her casework role from the catalogue, and the read role the catalogue grants her Entra group.
    expect(roles).toEqual([
      "http://demo-fagsystem.dk/roles/usersystemrole/sagsbehandling/1 — CVR 33445566 — http://sts.kombit.dk/constraints/KLE/1 = 32.*, 27.24.*",
      "http://demo-fagsystem.dk/roles/usersystemrole/laesning/1 — CVR 33445566",
    ]);
  });

  it("refuses a Sky Kommune user the role catalogue does not know, naming the catalogue", async () => {
    const browser = new Browser();
    const chooser = await browser.follow(await browser.get(`${demo.spUrl}/login`));
    const idpForm = await browser.submit(chooser, { idp: "sky-kommune" });
    const toBroker = await browser.submit(idpForm, { user: "ukendt" });
    const fromBroker = await browser.submit(toBroker);
    expect(fromBroker.body).toContain("Sky Kommunes rollekatalog kender dig ikke");
    const result = await browser.submit(fromBroker);
    expect(result.body).toContain("<h1>Ikke logget ind / Not logged in</h1>");
    expect(result.body).not.toContain("Logged in</h1>");
  });

  /** Demo fagsystem → chooser → Vest Kommune (NIST 3 only) → Karen → the broker sends her on to the demo NemLog-in. */
  async function upToNemLogIn(browser: Browser): Promise<Page> {
    const chooser = await browser.follow(await browser.get(`${demo.spUrl}/login`));
    expect(chooser.body).toContain('<button type="submit" name="idp" value="vest-kommune">Vest Kommune</button>');
    const idpForm = await browser.submit(chooser, { idp: "vest-kommune" });
    expect(idpForm.body).toContain("<h1>Vest Kommune</h1>");
    // The IdP cannot deliver NSIS levels: the broker does not ask it for one.
    expect(idpForm.body).not.toContain("nsis/loa");
    const toBroker = await browser.submit(idpForm, { user: "karen" });
    const nemlogin = await browser.submit(toBroker);
    expect(nemlogin.body).toContain("<h1>NemLog-in (demo)</h1>");
    expect(nemlogin.body).toContain("https://data.gov.dk/concept/core/nsis/loa/Substantial");
    return nemlogin;
  }

  it("steps Karen of Vest Kommune (NIST 3 only) up through NemLog-in to NSIS Substantial, and reuses it in the session", async () => {
    const browser = new Browser();
    const nemlogin = await upToNemLogIn(browser);
    const toBroker = await browser.submit(nemlogin, { identity: "karen" });
    expect(toBroker.body).toContain(`action="${brokerUrl}/saml/acs"`);
    const result = await browser.submit(await browser.submit(toBroker));
    expect(result.body).toContain("<h1>Logget ind / Logged in</h1>");
    const attributes = shownAttributes(result.body);
    expect(attributes.get(OIOSAML3.loa)).toEqual(["Substantial"]);
    expect(attributes.get(OIOSAML3.cvr)).toEqual(["44556677"]);
    expect(attributes.get(OIOSAML3.orgName)).toEqual(["Vest Kommune"]);
    expect(attributes.get(OIOSAML3.email)).toEqual(["karen.vestergaard@vest-kommune.dk"]);
    const roles = [...result.body.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => unescapeHtml(m[1] ?? ""));
    expect(roles).toEqual(["http://demo-fagsystem.dk/roles/usersystemrole/sagsbehandling/1 — CVR 44556677 — http://sts.kombit.dk/constraints/KLE/1 = 27.*"]);
    const steps = readFileSync(auditFile, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r["kind"] === "step-up");
    expect(steps.at(-1)?.["outcome"]).toBe("bound");

    // The same browser logs in again: answered from the session, without the municipal IdP or MitID.
    const again = await browser.follow(await browser.get(`${demo.spUrl}/login`));
    expect(again.body).toContain(`action="${demo.spUrl}/acs"`);
    const second = await browser.submit(again);
    expect(second.body).toContain("<h1>Logget ind / Logged in</h1>");
    expect(shownAttributes(second.body).get(OIOSAML3.loa)).toEqual(["Substantial"]);
  });

  it("refuses a step-up by another person at NemLog-in, telling the person why", async () => {
    const browser = new Browser();
    const nemlogin = await upToNemLogIn(browser);
    const fromBroker = await browser.submit(await browser.submit(nemlogin, { identity: "ole" }));
    expect(fromBroker.body).toContain("MitID-loginet tilhører ikke den person");
    const result = await browser.submit(fromBroker);
    expect(result.body).toContain("<h1>Ikke logget ind / Not logged in</h1>");
  });

  it("refuses the robot user (NIST 3 only): the fagsystem requires NSIS Substantial and gets NoAuthnContext", async () => {
    const browser = new Browser();
    const result = await loginAs(browser, await upToIdpLogin(browser), "robot");
    expect(result.url).toBe(`${demo.spUrl}/acs`);
    expect(result.status).toBe(200);
    expect(result.body).toContain("<h1>Ikke logget ind / Not logged in</h1>");
    expect(result.body).toContain("urn:oasis:names:tc:SAML:2.0:status:Responder / urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext");
    expect(result.body).not.toContain("29189846");
    expect(result.body).not.toContain("Logged in</h1>");
  });
});
