/**
 * `npm start -- --sp <metadata file>` as a vendor runs it: the demo's own
 * entry point in a child process, from an empty folder (keys and metadata
 * created there, as on a clean clone), with the vendor's node-saml
 * fagsystem's metadata file. It prints the sandbox warning and the SP side's
 * settings, and the fagsystem logs in as a demo user.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "../../scripts/lib/redis-server.js";
import { testKey } from "../support/keys.js";
import { Browser } from "../support/http-browser.js";
import { ATTR } from "../independent-peers/standard-uris.js";
import { answerFor, toIdpForm, validated, vendorSp, vendorSpMetadata } from "./vendor-sp.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const ENTITY_ID = "https://fagsystem.vendor.example/saml/npm-start";
const ACS = "https://fagsystem.vendor.example/acs";
const PORT_VARIABLES = ["BROKER_PORT", "DEMO_IDP_PORT", "DEMO_SP_PORT", "DEMO_SKY_IDP_PORT", "DEMO_ATTRIBUTE_SERVICE_PORT", "DEMO_VEST_IDP_PORT", "DEMO_NEMLOGIN_PORT", "DEMO_OIDC_PORT", "DEMO_NORD_PORT", "DEMO_SEB_PORT"];

describe("npm start -- --sp <metadata file>", () => {
  const workDir = mkdtempSync(join(tmpdir(), "sandbox-npm-start-"));
  let child: ChildProcess;
  let output = "";
  let brokerUrl: string;
  let keys: Parameters<typeof vendorSp>[3];

  beforeAll(async () => {
    keys = { signing: await testKey("npm-start-sp-signing"), encryption: await testKey("npm-start-sp-encryption") };
    writeFileSync(join(workDir, "sp.xml"), vendorSpMetadata(ENTITY_ID, ACS, keys));
    const ports: number[] = [];
    while (ports.length < PORT_VARIABLES.length) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    brokerUrl = `http://127.0.0.1:${ports[0]}`;
    const env = { ...process.env, ...Object.fromEntries(PORT_VARIABLES.map((name, i) => [name, String(ports[i])])) };
    child = spawn(
      join(ROOT, "node_modules", ".bin", "tsx"),
      [join(ROOT, "src", "demo", "main.ts"), "--config", join(ROOT, "config", "demo"), "--sp", "sp.xml", "--base-url", brokerUrl, "--legacy-key-transport", "--sign-response"],
      { cwd: workDir, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const deadline = Date.now() + 150_000;
    while (!output.includes("Demo running.")) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the demo did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(workDir, { recursive: true, force: true });
  });

  it("prints the sandbox warning and what to configure on the SP side", () => {
    expect(output).toContain("SANDBOX - NOT FOR PRODUCTION.");
    expect(output).toContain(`Your fagsystem ${ENTITY_ID} is registered (id fagsystem-vendor-example-saml-npm-start, metadata from sp.xml).`);
    expect(output).toContain(`IdP metadata URL:  ${brokerUrl}/saml/metadata/idp`);
    expect(output).toContain("IdP entityID:      https://saml.broker.localhost");
    expect(output).toContain("peter    Peter Madsen, NSIS High: http://demo-kommune.dk/roles/usersystemrole/leder/1");
  });

  it("lets the fagsystem log in as a demo user", async () => {
    const sp = await vendorSp(brokerUrl, ENTITY_ID, ACS, keys);
    const browser = new Browser();
    const profile = await validated(sp, await answerFor(browser, await toIdpForm(sp, browser, "vest-kommune", "npm"), { user: "karen" }));
    expect(profile[ATTR.uuid]).toBe("3b7e9a52-1c4d-4f8a-9e2b-6d5c4b3a2f10");
    expect(profile[ATTR.cvr]).toBe("44556677");
  });
});
