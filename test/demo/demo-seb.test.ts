/**
 * The demo (`npm start`), driven like a browser over real HTTP: the demo SEB
 * (the health sector's broker, SEB attribute profile) is linked from the
 * demo fagsystem; Hanne reaches it with her municipality's CPR number, Sofie
 * (Sky Kommune's Entra-like IdP sends no CPR) is refused with a page saying
 * why, and Karen of Vest Kommune (NIST 3 only) reaches it through the MitID
 * step-up. The demo fagsystem, in the same browser session, never sees a CPR.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import type { RunningDemo } from "../../src/demo/run-demo.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { Browser, shownAttributes, type Page } from "./demo-browser.js";

const SEB = {
  specVer: "dk:gov:saml:attribute:SpecVer",
  assuranceLevel: "dk:gov:saml:attribute:AssuranceLevel",
  cpr: "dk:gov:saml:attribute:CprNumberIdentifier",
  cvr: "dk:gov:saml:attribute:CvrNumberIdentifier",
  organisation: "urn:oid:2.5.4.10",
  commonName: "urn:oid:2.5.4.3",
  uuid: "https://data.gov.dk/model/core/eid/professional/uuid/persistent",
};
const HANNE_CPR = "1502794412";
const KAREN_CPR = "0611824478";

describe("the demo (npm start): SEB", () => {
  let instance: DemoInstance;
  let demo: RunningDemo;
  let sebUrl: string;
  let brokerUrl: string;

  beforeAll(async () => {
    instance = await startDemoInstance();
    ({ demo, brokerUrl } = instance);
    if (!demo.sebUrl) throw new Error("the demo configuration registers no SEB");
    sebUrl = demo.sebUrl;
  });

  afterAll(async () => {
    await instance?.stop();
  });

  /** SEB → chooser → this municipality → this user at its IdP; the page the broker answers with. */
  async function toSebAs(browser: Browser, municipality: string, user: string): Promise<Page> {
    const chooser = await browser.follow(await browser.get(`${sebUrl}/login`));
    const idpForm = await browser.submit(chooser, { idp: municipality });
    expect(idpForm.body).toContain(`name="user" value="${user}"`);
    return browser.submit(await browser.submit(idpForm, { user }));
  }

  it("links SEB from the demo fagsystem's page", async () => {
    const page = await new Browser().get(`${demo.spUrl}/`);
    expect(page.body).toContain(`<a href="${sebUrl}/">SEB`);
    const seb = await new Browser().get(`${sebUrl}/`);
    expect(seb.body).toContain("<h1>Demo SEB</h1>");
  });

  it("gives SEB Hanne's CPR number in the OIOSAML 2 style; the demo fagsystem, in the same session, gets none", async () => {
    const browser = new Browser();
    const toSeb = await toSebAs(browser, "demo-kommune", "hanne");
    expect(toSeb.body).toContain(`action="${sebUrl}/acs"`);
    const result = await browser.submit(toSeb);
    expect(result.body).toContain("<h1>Logget ind / Logged in</h1>");
    const attributes = shownAttributes(result.body);
    expect(attributes.get(SEB.specVer)).toEqual(["DK-SAML-2.0"]);
    expect(attributes.get(SEB.cpr)).toEqual([HANNE_CPR]);
    expect(attributes.get(SEB.cvr)).toEqual(["29189846"]);
    expect(attributes.get(SEB.organisation)).toEqual(["Demo Kommune"]);
    expect(attributes.get(SEB.commonName)).toEqual(["Hanne Hansen"]);
    expect(attributes.get(SEB.uuid)).toEqual(["8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11"]);
    expect(result.body).toContain("http://sundhed.dk/roles/usersystemrole/fut-medarbejder/1");

    // The same browser goes to the demo fagsystem: answered from the session, without a CPR.
    const toFagsystem = await browser.follow(await browser.get(`${demo.spUrl}/login`));
    expect(toFagsystem.body).toContain(`action="${demo.spUrl}/acs"`);
    const fagsystem = await browser.submit(toFagsystem);
    expect(fagsystem.body).toContain("<h1>Logget ind / Logged in</h1>");
    expect(fagsystem.body).not.toContain(HANNE_CPR);
    expect(readFileSync(instance.auditFile, "utf8")).not.toContain(HANNE_CPR);
  });

  it("refuses Sofie (Sky Kommune's IdP sends no CPR, no user store record) with a page naming what was missing, and SEB learns why", async () => {
    const browser = new Browser();
    const fromBroker = await toSebAs(browser, "sky-kommune", "sofie");
    expect(fromBroker.body).toContain("The system requires your CPR number");
    expect(fromBroker.body).not.toContain("autosubmit.js");
    const result = await browser.submit(fromBroker);
    expect(result.body).toContain("<h1>Ikke logget ind / Not logged in</h1>");
    expect(result.body).toContain("CprNumberIdentifier");
  });

  it("steps Karen of Vest Kommune (NIST 3 only) up through MitID to SEB's NSIS Substantial; SEB gets her CPR", async () => {
    const browser = new Browser();
    const nemlogin = await toSebAs(browser, "vest-kommune", "karen");
    expect(nemlogin.body).toContain("<h1>NemLog-in (demo)</h1>");
    const toBroker = await browser.submit(nemlogin, { identity: "karen" });
    expect(toBroker.body).toContain(`action="${brokerUrl}/saml/acs"`);
    const result = await browser.submit(await browser.submit(toBroker));
    expect(result.body).toContain("<h1>Logget ind / Logged in</h1>");
    const attributes = shownAttributes(result.body);
    expect(attributes.get(SEB.cpr)).toEqual([KAREN_CPR]);
    expect(attributes.get(SEB.assuranceLevel)).toEqual(["3"]);
    expect(attributes.get(SEB.cvr)).toEqual(["44556677"]);
    expect(result.body).toContain("https://data.gov.dk/concept/core/nsis/loa/Substantial");
  });
});
