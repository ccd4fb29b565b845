/**
 * The sandbox's `--sp`: a vendor's own SAML fagsystem, played by
 * @node-saml/node-saml, registered with the demo broker from its metadata
 * file and from its metadata URL, logs in as demo users; what the sandbox
 * prints names the broker's metadata and what each user receives.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDemoUsers, SHIPPED_USERS_FILE } from "../../src/demo/demo-users-file.js";
import { sandboxConfig, type SandboxSetup } from "../../src/demo/sandbox-config.js";
import { sandboxInstructions } from "../../src/demo/sandbox-instructions.js";
import { freePort } from "../../scripts/lib/redis-server.js";
import { testKey } from "../support/keys.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { Browser } from "../support/http-browser.js";
import { ATTR, RSA_OAEP_MGF1P } from "../independent-peers/standard-uris.js";
import { answerFor, toIdpForm, validated, vendorSp, vendorSpMetadata, type VendorSp } from "./vendor-sp.js";

const FILE_SP = "https://fagsystem.vendor.example/saml/file";
const URL_SP = "https://fagsystem.vendor.example/saml/url";
const ACS = "https://fagsystem.vendor.example/acs";
const municipalities = loadDemoUsers(SHIPPED_USERS_FILE);

function privilegeXml(profile: Record<string, unknown>): string {
  return Buffer.from(String(profile[ATTR.privileges]), "base64").toString("utf8");
}

describe("the sandbox: a vendor's SAML fagsystem (node-saml) registered with --sp", () => {
  const workDir = mkdtempSync(join(tmpdir(), "sandbox-sp-"));
  let instance: DemoInstance;
  let setup: SandboxSetup;
  let metadataServer: Server;
  let fileSp: VendorSp;
  let urlSp: VendorSp;

  beforeAll(async () => {
    const keys = { signing: await testKey("vendor-sp-signing"), encryption: await testKey("vendor-sp-encryption") };
    const metadataPort = await freePort();
    const metadataUrl = `http://127.0.0.1:${metadataPort}/saml/metadata`;
    const served: { xml: string } = { xml: "" };
    metadataServer = createServer((req, res) => {
      if (req.url !== "/saml/metadata") return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/samlmetadata+xml" }).end(served.xml);
    });
    await new Promise<void>((resolve) => metadataServer.listen(metadataPort, "127.0.0.1", resolve));
    const metadataFile = join(workDir, "sp.xml");
    instance = await startDemoInstance({
      configure: async (config) => {
        // node-saml writes the fagsystem's metadata itself, as a vendor's SP would.
        writeFileSync(metadataFile, vendorSpMetadata(FILE_SP, ACS, keys));
        served.xml = vendorSpMetadata(URL_SP, ACS, keys);
        setup = await sandboxConfig(config, { sp: [metadataFile, metadataUrl], signResponse: true, legacyKeyTransport: true }, municipalities, join(workDir, "sps"));
        return setup.config;
      },
    });
    fileSp = await vendorSp(instance.brokerUrl, FILE_SP, ACS, keys);
    urlSp = await vendorSp(instance.brokerUrl, URL_SP, ACS, keys);
  });

  afterAll(async () => {
    await instance?.stop();
    await new Promise((resolve) => metadataServer?.close(resolve));
    rmSync(workDir, { recursive: true, force: true });
  });

  it("registers one fagsystem from a metadata file and one from a metadata URL, kept in a backing file", () => {
    const [fromFile, fromUrl] = setup.sps;
    expect(fromFile?.entityId).toBe(FILE_SP);
    expect(fromFile?.config.id).toBe("fagsystem-vendor-example-saml-file");
    expect(fromFile?.config.metadata).toBe(join(workDir, "sp.xml"));
    expect(fromFile?.config.metadataUrl).toBeUndefined();
    expect(fromUrl?.entityId).toBe(URL_SP);
    expect(fromUrl?.config.metadataUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/saml\/metadata$/);
    expect(fromUrl?.config.metadata).toBe(join(workDir, "sps", "fagsystem-vendor-example-saml-url.xml"));
    // The broker fetched it at start and kept it as the last good copy.
    expect(existsSync(fromUrl?.config.metadata ?? "")).toBe(true);
    expect(fromFile?.config.requiredLevel).toEqual({ nist: 3 });
    expect(fromFile?.config.encryption).toEqual({ keyTransport: "rsa-oaep-mgf1p" });
    expect(fromFile?.config.roleMappings.map((m) => m.jobFunctionRole)).toContain("http://demo-kommune.dk/roles/jobrole/sagsbehandler/1");
  });

  it("prints what to configure on the SP side and what each demo user receives", () => {
    const text = sandboxInstructions(setup.config, setup.sps.slice(0, 1), municipalities);
    expect(text).toContain(`IdP metadata URL:  ${instance.brokerUrl}/saml/metadata/idp`);
    expect(text).toContain(`IdP entityID:      ${setup.config.entityId}`);
    expect(text).toContain(`Your fagsystem ${FILE_SP} is registered`);
    expect(text).toContain("Required level:    NIST 3");
    expect(text).toContain("hanne    Hanne Hansen, NSIS Substantial: http://demo-kommune.dk/roles/usersystemrole/sagsbehandler/1 (KLE 27.*,29.03.*); http://demo-kommune.dk/roles/usersystemrole/kantine/1");
    expect(text).toContain("robot    RPA Robot 1 (robot), NIST 3: http://demo-kommune.dk/roles/usersystemrole/robot/1");
    expect(text).toContain("sofie    Sofie Skov, NSIS Substantial: roles from the municipality's role catalogue");
  });

  it("logs Hanne in to the fagsystem registered from its file: node-saml accepts the broker's answer", async () => {
    const browser = new Browser();
    const idpForm = await toIdpForm(fileSp, browser, "demo-kommune", "vendor-relay");
    expect(idpForm.body).toContain(`<code>${FILE_SP}</code>`);
    const answer = await answerFor(browser, idpForm, { user: "hanne" });
    expect(answer.action).toBe(ACS);
    expect(answer.fields["RelayState"]).toBe("vendor-relay");
    expect(Buffer.from(answer.fields["SAMLResponse"] ?? "", "base64").toString("utf8")).toContain(RSA_OAEP_MGF1P);
    const profile = await validated(fileSp, answer);
    expect(profile.issuer).toBe(setup.config.entityId);
    expect(profile[ATTR.uuid]).toBe("8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11");
    expect(profile[ATTR.cvr]).toBe("29189846");
    // A NIST requirement (the sandbox's default): the level comes as the NIST AssuranceLevel.
    expect(profile["dk:gov:saml:attribute:AssuranceLevel"]).toBe("3");
    expect(profile[ATTR.fullName]).toBe("Hanne Hansen");
    expect(privilegeXml(profile)).toBe(
      '<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">' +
        '<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846">' +
        "<Privilege>http://demo-kommune.dk/roles/usersystemrole/sagsbehandler/1</Privilege>" +
        '<Constraint Name="http://sts.kombit.dk/constraints/KLE/1">27.*</Constraint>' +
        '<Constraint Name="http://sts.kombit.dk/constraints/KLE/1">29.03.*</Constraint>' +
        "</PrivilegeGroup>" +
        '<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><Privilege>http://demo-kommune.dk/roles/usersystemrole/kantine/1</Privilege></PrivilegeGroup>' +
        "</bpp:PrivilegeList>",
    );
  });

  it("logs Sofie of Sky Kommune in with the roles her role catalogue gives (as for the demo fagsystem)", async () => {
    const browser = new Browser();
    const profile = await validated(fileSp, await answerFor(browser, await toIdpForm(fileSp, browser, "sky-kommune", "s"), { user: "sofie" }));
    expect(profile[ATTR.cvr]).toBe("33445566");
    expect(privilegeXml(profile)).toContain("<Privilege>http://demo-fagsystem.dk/roles/usersystemrole/sagsbehandling/1</Privilege>");
    expect(privilegeXml(profile)).toContain("<Privilege>http://demo-fagsystem.dk/roles/usersystemrole/laesning/1</Privilege>");
  });

  it("logs the robot in to the fagsystem registered from its URL (NIST 3 is enough)", async () => {
    const browser = new Browser();
    const answer = await answerFor(browser, await toIdpForm(urlSp, browser, "demo-kommune", "r"), { user: "robot" });
    const profile = await validated(urlSp, answer);
    expect(profile[ATTR.uuid]).toBe("5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d");
    expect(privilegeXml(profile)).toContain("<Privilege>http://demo-kommune.dk/roles/usersystemrole/robot/1</Privilege>");
  });
});
