/**
 * The sandbox's `--oidc-client <yaml>`: a vendor's OpenID Connect fagsystem
 * (openid-client, client_secret_basic, secret from the environment),
 * registered from its YAML file, logs Hanne in through the demo and gets her
 * translated roles in the ID token.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as oidc from "openid-client";
import { loadDemoUsers, SHIPPED_USERS_FILE } from "../../src/demo/demo-users-file.js";
import { sandboxConfig } from "../../src/demo/sandbox-config.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { Browser, personLogsIn, startCallbackServer, TestRelyingParty, type CallbackServer } from "../support/oidc-test-client.js";

const SECRET_ENV = "SANDBOX_VENDOR_OIDC_SECRET";
const SECRET = "vendor-secret-for-the-sandbox-test-0123456789";

describe("the sandbox: a vendor's OIDC fagsystem registered with --oidc-client", () => {
  const workDir = mkdtempSync(join(tmpdir(), "sandbox-oidc-"));
  let instance: DemoInstance;
  let callback: CallbackServer;

  beforeAll(async () => {
    process.env[SECRET_ENV] = SECRET;
    callback = await startCallbackServer();
    const file = join(workDir, "client.yaml");
    writeFileSync(file, [`clientId: vendor-oidc`, `redirectUris: ["${callback.url}/cb"]`, "tokenEndpointAuthMethod: client_secret_basic", `clientSecretEnv: ${SECRET_ENV}`].join("\n"));
    instance = await startDemoInstance({
      configure: async (config) => (await sandboxConfig(config, { oidcClient: [file] }, loadDemoUsers(SHIPPED_USERS_FILE), workDir)).config,
    });
  });

  afterAll(async () => {
    await instance?.stop();
    await callback?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("logs Hanne in and the ID token carries her CVR and her roles as the sandbox maps them", async () => {
    const rp = new TestRelyingParty(`${instance.brokerUrl}/oidc`, "vendor-oidc", `${callback.url}/cb`, oidc.ClientSecretBasic(SECRET));
    const start = await rp.start();
    const page = await personLogsIn(new Browser(), start.url, "demo-kommune", "hanne", `${callback.url}/cb`);
    expect(new URL(page.url).searchParams.get("code")).toBeTruthy();
    const tokens = await rp.redeem(start, page.url);
    const claims = tokens.claims();
    expect(claims?.["https://data.gov.dk/model/core/eid/professional/cvr"]).toBe("29189846");
    expect(claims?.["https://data.gov.dk/model/core/eid/professional/uuid/persistent"]).toBe("8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11");
    expect(JSON.stringify(claims)).toContain("http://demo-kommune.dk/roles/usersystemrole/sagsbehandler/1");
  });
});
