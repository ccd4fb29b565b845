/**
 * The demo IdPs' scenarios, each broken on purpose, as they arrive at a
 * vendor's fagsystem (node-saml) registered with --sp: an error status, a
 * lower level than required, no privileges, privileges for another CVR, an
 * expired assertion. The login page labels each as deliberate breakage.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SamlStatusError } from "@node-saml/node-saml";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDemoUsers, SHIPPED_USERS_FILE } from "../../src/demo/demo-users-file.js";
import { sandboxConfig } from "../../src/demo/sandbox-config.js";
import { testKey } from "../support/keys.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { Browser } from "../support/http-browser.js";
import { ATTR } from "../independent-peers/standard-uris.js";
import { answerFor, toIdpForm, validated, vendorSp, vendorSpMetadata, type VendorSp } from "./vendor-sp.js";

const ENTITY_ID = "https://fagsystem.vendor.example/saml/scenarios";
const ACS = "https://fagsystem.vendor.example/acs";
const EMPTY_LIST = '<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile"/>';

describe("the demo IdPs' scenarios, as the vendor's fagsystem receives them", () => {
  const workDir = mkdtempSync(join(tmpdir(), "sandbox-scenarios-"));
  let instance: DemoInstance;
  let sp: VendorSp;
  const logLines: string[] = [];

  beforeAll(async () => {
    const keys = { signing: await testKey("scenario-sp-signing"), encryption: await testKey("scenario-sp-encryption") };
    const metadata = join(workDir, "sp.xml");
    writeFileSync(metadata, vendorSpMetadata(ENTITY_ID, ACS, keys));
    instance = await startDemoInstance({
      logDestination: { write: (line: string) => void logLines.push(line) },
      logLevel: "info",
      configure: async (config) => (await sandboxConfig(config, { sp: [metadata], signResponse: true, legacyKeyTransport: true }, loadDemoUsers(SHIPPED_USERS_FILE), workDir)).config,
    });
    sp = await vendorSp(instance.brokerUrl, ENTITY_ID, ACS, keys);
  });

  afterAll(async () => {
    await instance?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  async function answer(user: string, scenario: string) {
    const browser = new Browser();
    const form = await toIdpForm(sp, browser, "demo-kommune", `rs-${scenario}`);
    return answerFor(browser, form, { user, scenario });
  }

  async function statusOf(user: string, scenario: string): Promise<SamlStatusError> {
    const posted = await answer(user, scenario);
    expect(posted.action).toBe(ACS);
    expect(posted.fields["RelayState"]).toBe(`rs-${scenario}`);
    const error = await sp.saml.validatePostResponseAsync(posted.fields).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SamlStatusError);
    return error as SamlStatusError;
  }

  /** The reason codes the broker logged so far. */
  function reasons(): string[] {
    return logLines.map((line) => (JSON.parse(line) as { reason?: string }).reason).filter((r): r is string => r !== undefined);
  }

  function privileges(profile: Record<string, unknown>): string {
    return Buffer.from(String(profile[ATTR.privileges]), "base64").toString("utf8");
  }

  it("labels every broken answer on the login page as broken on purpose", async () => {
    const browser = new Browser();
    const form = await toIdpForm(sp, browser, "demo-kommune", "labels");
    expect(form.body).toContain('<option value="normal">Normalt svar / Normal answer</option>');
    for (const key of ["error-status", "lower-level", "no-privileges", "other-cvr", "expired"]) {
      expect(form.body).toMatch(new RegExp(`<option value="${key}">FEJL MED VILJE / BROKEN ON PURPOSE: `));
    }
  });

  it("error status: the fagsystem gets Responder / AuthnFailed, no assertion", async () => {
    const error = await statusOf("hanne", "error-status");
    expect(error.xmlStatus).toContain('<StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder">');
    expect(error.xmlStatus).toContain('<StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"/>');
    expect(error.xmlStatus).toContain("<StatusMessage>Authentication at the municipal identity provider failed</StatusMessage>");
  });

  it("lower level than required: the fagsystem gets Responder / NoAuthnContext, naming the levels", async () => {
    const error = await statusOf("hanne", "lower-level");
    expect(error.xmlStatus).toContain('<StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder">');
    expect(error.xmlStatus).toContain('<StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext"/>');
    expect(error.xmlStatus).toContain("<StatusMessage>login reached NSIS Low; the fagsystem requires NIST level 3</StatusMessage>");
  });

  it("expired assertion: the broker refuses it, the fagsystem gets Responder / AuthnFailed", async () => {
    const error = await statusOf("hanne", "expired");
    // The operator's log names why: the assertion had expired.
    expect(reasons()).toContain("assertion_expired");
    expect(error.xmlStatus).toContain('<StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder">');
    expect(error.xmlStatus).toContain('<StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"/>');
  });

  it("no privileges: the fagsystem gets the person with an empty privilege list", async () => {
    const profile = await validated(sp, await answer("hanne", "no-privileges"));
    expect(profile[ATTR.uuid]).toBe("8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11");
    expect(privileges(profile)).toBe(EMPTY_LIST);
  });

  it("privileges for another CVR: the broker drops them, the fagsystem gets none", async () => {
    const profile = await validated(sp, await answer("peter", "other-cvr"));
    expect(profile[ATTR.cvr]).toBe("29189846");
    expect(privileges(profile)).toBe(EMPTY_LIST);
  });

  it("normal: the same user gets in with privileges", async () => {
    const profile = await validated(sp, await answer("peter", "normal"));
    expect(privileges(profile)).toContain("<Privilege>http://demo-kommune.dk/roles/usersystemrole/leder/1</Privilege>");
  });
});
