/**
 * The demo (`npm start`), driven like a browser over real HTTP: Sky Kommune,
 * an Entra-like IdP that sends no privileges, with its role catalogue.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import type { RunningDemo } from "../../src/demo/run-demo.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { Browser, shownAttributes, unescapeHtml } from "./demo-browser.js";

describe("the demo (npm start): Sky Kommune and its role catalogue", () => {
  let instance: DemoInstance;
  let demo: RunningDemo;

  beforeAll(async () => {
    instance = await startDemoInstance();
    ({ demo } = instance);
  });

  afterAll(async () => {
    await instance?.stop();
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
});
