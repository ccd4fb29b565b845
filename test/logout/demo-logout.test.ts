/**
 * Single Logout through the broker, on the demo (`npm start`) over real HTTP
 * with real signatures: a session with the SAML demo fagsystem, the OIDC demo
 * fagsystem and Demo Kommune's IdP ends everywhere, begun at either
 * fagsystem or at the IdP, and every party verifies what it receives.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createPrivateKey } from "node:crypto";
import type { RunningDemo } from "../../src/demo/run-demo.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { Browser, unescapeHtml, type Page } from "../demo/demo-browser.js";
import { buildLogoutRequest } from "../../src/saml/logout-messages.js";
import { encodeRedirect } from "../../src/saml/redirect-binding.js";
import { SIGNATURE_ALGORITHM } from "../../src/saml/algorithms.js";
import { samlInstant } from "../../src/saml/saml-time.js";
import { NAMEID_FORMAT } from "../../src/saml/namespaces.js";
import { encodePostMessage } from "../../src/saml/post-binding.js";
import { signEnveloped } from "../../src/saml/sign.js";
import { keyMaterialFromPem } from "../../src/keys/key-material.js";

describe("Single Logout on the demo", () => {
  let instance: DemoInstance;
  let demo: RunningDemo;
  let brokerUrl: string;

  beforeAll(async () => {
    instance = await startDemoInstance();
    ({ demo, brokerUrl } = instance);
  });

  afterAll(async () => {
    await instance?.stop();
  });

  /** Hanne logs in to the SAML demo fagsystem through Demo Kommune. */
  async function samlLogin(browser: Browser): Promise<Page> {
    const chooser = await browser.follow(await browser.get(`${demo.spUrl}/login?municipality=demo-kommune`));
    const idpForm = chooser.url.startsWith(demo.idpUrl) ? chooser : await browser.submit(chooser, { idp: "demo-kommune" });
    const toBroker = await browser.submit(idpForm, { user: "hanne" });
    const toSp = await browser.submit(toBroker);
    const result = await browser.submit(toSp);
    expect(result.body).toContain("<h1>Logget ind / Logged in</h1>");
    return result;
  }

  /** The OIDC demo fagsystem, answered from the broker's SSO session (no IdP form on the way). */
  async function oidcLoginBySso(browser: Browser): Promise<void> {
    const finish = await browser.follow(await browser.get(`${demo.oidcRpUrl}/login`));
    expect(finish.url.startsWith(demo.idpUrl)).toBe(false);
    const home = await browser.submit(finish);
    expect(home.url).toBe(`${demo.oidcRpUrl}/`);
    expect(home.body).toContain("<h1>Logget ind / Logged in</h1>");
  }

  async function oidcLoggedIn(browser: Browser): Promise<boolean> {
    return (await browser.get(`${demo.oidcRpUrl}/`)).body.includes("<h1>Logget ind / Logged in</h1>");
  }

  async function idpLog(): Promise<{ loggedOut: string[]; answers: string[] }> {
    return (await (await fetch(`${demo.idpUrl}/slo/log`)).json()) as { loggedOut: string[]; answers: string[] };
  }

  /** Loads each hidden frame of the logout page as the browser would, then goes on. */
  async function runFrames(browser: Browser, page: Page): Promise<Page> {
    const frames = [...page.body.matchAll(/<iframe src="([^"]+)"/g)].map((m) => new URL(unescapeHtml(m[1] ?? ""), page.url).toString());
    for (const frame of frames) {
      const done = await browser.follow(await browser.get(frame));
      expect(done.body).toContain("<p>OK</p>");
    }
    const status = await browser.get(`${brokerUrl}${/data-status="([^"]+)"/.exec(page.body)?.[1] ?? ""}`);
    expect(JSON.parse(status.body)).toEqual({ done: true });
    return browser.follow(await browser.get(`${brokerUrl}${/data-continue="([^"]+)"/.exec(page.body)?.[1] ?? ""}`));
  }

  function results(summary: Page): Map<string, boolean> {
    return new Map([...summary.body.matchAll(/<li data-logged-out="(yes|no)">([^<:]+):/g)].map((m) => [unescapeHtml(m[2] ?? ""), m[1] === "yes"]));
  }

  it("logout at the SAML fagsystem reaches the OIDC fagsystem (back channel) and the IdP, and answers the fagsystem Success", async () => {
    const browser = new Browser();
    await samlLogin(browser);
    await oidcLoginBySso(browser);
    const before = (await idpLog()).loggedOut.length;

    const summary = await browser.follow(await browser.post(`${demo.spUrl}/logout`, {}));
    expect(summary.url.startsWith(`${brokerUrl}/saml/slo?SAMLResponse=`)).toBe(true);
    expect(summary.body).toContain("Du er logget ud / You are logged out");
    expect(results(summary)).toEqual(new Map([["Demo fagsystem", true], ["Demo OIDC-fagsystem", true], ["Demo Kommune", true]]));

    // Each party verified what it got: the IdP logged Hanne's NameID out, the OIDC fagsystem's session ended on the verified logout token.
    const log = await idpLog();
    expect(log.loggedOut.length).toBe(before + 1);
    expect(log.loggedOut.at(-1)).toMatch(/^C=DK,O=29189846,CN=Hanne .*Serial=/);
    expect(await oidcLoggedIn(browser)).toBe(false);

    const back = /<a href="([^"]+)" id="logout-continue"/.exec(summary.body)?.[1];
    const atSp = await browser.follow(await browser.get(unescapeHtml(back ?? "")));
    expect(atSp.body).toContain("<h1>Logget ud / Logged out</h1>");
    expect(atSp.body).toContain("urn:oasis:names:tc:SAML:2.0:status:Success</code>");

    // The broker's SSO session is gone: the next login goes to the IdP again.
    const next = await browser.follow(await browser.get(`${demo.spUrl}/login?municipality=demo-kommune`));
    expect(next.url.startsWith(`${demo.idpUrl}/sso`)).toBe(true);
  });

  it("logout at the OIDC fagsystem reaches the SAML fagsystem (in a frame) and the IdP, then returns to the OIDC fagsystem", async () => {
    const browser = new Browser();
    await samlLogin(browser);
    await oidcLoginBySso(browser);

    const confirm = await browser.follow(await browser.get(`${demo.oidcRpUrl}/logout`));
    const action = /<form[^>]*action="([^"]+)"/.exec(confirm.body)?.[1] ?? "";
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)?.[1] ?? "";
    const framesPage = await browser.follow(await browser.post(new URL(unescapeHtml(action), confirm.url).href, { xsrf, logout: "yes" }));
    expect(framesPage.body).toContain("Logger ud … / Logging out …");

    const summary = await runFrames(browser, framesPage);
    expect(results(summary)).toEqual(new Map([["Demo OIDC-fagsystem", true], ["Demo fagsystem", true], ["Demo Kommune", true]]));
    // The demo fagsystem's session ended on the broker's verified LogoutRequest: it has nobody left to log out.
    expect((await browser.post(`${demo.spUrl}/logout`, {})).body).toContain("Ikke logget ind / Not logged in");

    const back = unescapeHtml(/<a href="([^"]+)" id="logout-continue"/.exec(summary.body)?.[1] ?? "");
    expect(back).toBe(`${demo.oidcRpUrl}/logged-out`);
  });

  it("a new login in the same browser (ForceAuthn) takes over the parties of the session it replaces, so the logout still reaches them", async () => {
    const browser = new Browser();
    await samlLogin(browser);
    await oidcLoginBySso(browser);
    // The fagsystem forces a new authentication: a new SSO session replaces the first.
    const idpForm = await browser.follow(await browser.get(`${demo.spUrl}/login?force=1&municipality=demo-kommune`));
    expect(idpForm.url.startsWith(`${demo.idpUrl}/sso`)).toBe(true);
    const again = await browser.submit(await browser.submit(await browser.submit(idpForm, { user: "hanne" })));
    expect(again.body).toContain("<h1>Logget ind / Logged in</h1>");

    const summary = await browser.follow(await browser.post(`${demo.spUrl}/logout`, {}));
    expect(results(summary).get("Demo OIDC-fagsystem")).toBe(true);
    expect(await oidcLoggedIn(browser)).toBe(false);
  });

  it("takes a fagsystem's LogoutRequest by HTTP-POST (enveloped signature) as well", async () => {
    const browser = new Browser();
    const result = await samlLogin(browser);
    const nameId = unescapeHtml(/NameID: <code>([^<]+)<\/code>/.exec(result.body)?.[1] ?? "");
    const sessionIndex = unescapeHtml(/SessionIndex: <code>([^<]+)<\/code>/.exec(result.body)?.[1] ?? "");
    const key = keyMaterialFromPem(readFileSync(join(instance.workDir, "keys", "demo-sp-signing.key.pem"), "utf8"), readFileSync(join(instance.workDir, "keys", "demo-sp-signing.cert.pem"), "utf8"));
    const xml = buildLogoutRequest({
      id: "_post-logout-1",
      issueInstant: samlInstant(Date.now()),
      notOnOrAfter: samlInstant(Date.now() + 60_000),
      issuer: `${demo.spUrl}/sp`,
      destination: `${brokerUrl}/saml/slo`,
      nameId,
      nameIdFormat: NAMEID_FORMAT.persistent,
      sessionIndex,
    });
    const summary = await browser.follow(await browser.post(`${brokerUrl}/saml/slo`, { SAMLRequest: encodePostMessage(signEnveloped(xml, "_post-logout-1", true, { key })), RelayState: "post-relay" }));
    expect(summary.body).toContain("Du er logget ud / You are logged out");
    expect(results(summary).get("Demo Kommune")).toBe(true);
  });

  it("after a step-up, logout reaches the municipal IdP and NemLog-in, one after the other", async () => {
    const browser = new Browser();
    const chooser = await browser.follow(await browser.get(`${demo.spUrl}/login`));
    const idpForm = await browser.submit(chooser, { idp: "vest-kommune" });
    const nemlogin = await browser.submit(await browser.submit(idpForm, { user: "karen" }));
    expect(nemlogin.body).toContain("<h1>NemLog-in (demo)</h1>");
    const result = await browser.submit(await browser.submit(await browser.submit(nemlogin, { identity: "karen" })));
    expect(result.body).toContain("<h1>Logget ind / Logged in</h1>");

    const summary = await browser.follow(await browser.post(`${demo.spUrl}/logout`, {}));
    expect(summary.body).toContain("Du er logget ud / You are logged out");
    expect([...results(summary).keys()]).toEqual(["Demo fagsystem", "Vest Kommune", "NemLog-in"]);
  });

  it("an IdP-initiated logout ends the session at the fagsystem and answers the IdP", async () => {
    const browser = new Browser();
    const result = await samlLogin(browser);
    const nameId = /NameID: <code>([^<]+)<\/code>/.exec(result.body)?.[1];
    expect(nameId).toBeDefined();
    const idpNameId = (await idpLog()).loggedOut.length; // unchanged by a login
    expect(idpNameId).toBeGreaterThanOrEqual(0);

    // Demo Kommune's IdP logs Hanne out (signed with its key from its metadata), naming the NameID it asserted.
    const signing = createPrivateKey(readFileSync(join(instance.workDir, "keys", "demo-idp-signing.key.pem")));
    const hanne = "C=DK,O=29189846,CN=Hanne Hansen,Serial=8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11";
    const xml = buildLogoutRequest({
      id: "_idp-initiated-1",
      issueInstant: samlInstant(Date.now()),
      notOnOrAfter: samlInstant(Date.now() + 60_000),
      issuer: `${demo.idpUrl}/idp`,
      destination: `${brokerUrl}/saml/slo`,
      nameId: hanne,
      nameIdFormat: NAMEID_FORMAT.x509SubjectName,
      sessionIndex: undefined,
    });
    const framesPage = await browser.follow(await browser.get(encodeRedirect(`${brokerUrl}/saml/slo`, "SAMLRequest", xml, "idp-relay", { privateKey: signing, algorithm: SIGNATURE_ALGORITHM.rsaSha256 })));
    const summary = await runFrames(browser, framesPage);
    expect(results(summary)).toEqual(new Map([["Demo Kommune", true], ["Demo fagsystem", true]]));
    expect((await browser.post(`${demo.spUrl}/logout`, {})).body).toContain("Ikke logget ind / Not logged in");

    const back = unescapeHtml(/<a href="([^"]+)" id="logout-continue"/.exec(summary.body)?.[1] ?? "");
    expect(back.startsWith(`${demo.idpUrl}/slo?SAMLResponse=`)).toBe(true);
    const answered = await browser.follow(await browser.get(back));
    expect(answered.body).toBe("Logout answered: urn:oasis:names:tc:SAML:2.0:status:Success");
  });
});
