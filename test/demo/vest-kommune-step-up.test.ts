/**
 * The demo (`npm start`), driven like a browser over real HTTP: Vest Kommune
 * (NIST 3 only) steps up through the demo NemLog-in.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import type { RunningDemo } from "../../src/demo/run-demo.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { Browser, shownAttributes, unescapeHtml, type Page } from "./demo-browser.js";

describe("the demo (npm start): Vest Kommune steps up through NemLog-in", () => {
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
});
