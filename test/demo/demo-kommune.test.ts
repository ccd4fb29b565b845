/**
 * The demo (`npm start`), driven like a browser over real HTTP: Demo Kommune
 * logs its users in to the demo fagsystem, with their translated roles, and
 * its robot is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { findExplanations, formatExplanation } from "../../src/cli/explain-privileges.js";
import type { RunningDemo } from "../../src/demo/run-demo.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { Browser, shownAttributes, unescapeHtml, type Page } from "./demo-browser.js";

describe("the demo (npm start): Demo Kommune", () => {
  let instance: DemoInstance;
  let demo: RunningDemo;
  let brokerUrl: string;
  let auditFile: string;

  beforeAll(async () => {
    instance = await startDemoInstance();
    ({ demo, brokerUrl, auditFile } = instance);
  });

  afterAll(async () => {
    await instance?.stop();
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
