/**
 * The sandbox's options around the demo configuration: a production
 * configuration is refused (also by `npm start` itself), --base-url and
 * --host change where the demo is reached and listens, a fagsystem's YAML
 * file sets its policy, and --oidc-client registers an OIDC fagsystem.
 */
import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadConfig } from "../../src/config/load-config.js";
import { loadDemoUsers, SHIPPED_USERS_FILE } from "../../src/demo/demo-users-file.js";
import { closeServer, listenOn, setDemoNetwork } from "../../src/demo/demo-servers.js";
import { sandboxConfig } from "../../src/demo/sandbox-config.js";
import { testKey } from "../support/keys.js";
import { vendorSpMetadata } from "./vendor-sp.js";

const dir = mkdtempSync(join(tmpdir(), "sandbox-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const demoConfig = loadConfig("config/demo", {});
const municipalities = loadDemoUsers(SHIPPED_USERS_FILE);

async function metadataFile(name: string, entityId: string): Promise<string> {
  const file = join(dir, name);
  writeFileSync(file, vendorSpMetadata(entityId, "https://vendor.example/acs", { signing: await testKey("cfg-signing"), encryption: await testKey("cfg-encryption") }));
  return file;
}

describe("the sandbox's configuration", () => {
  it("refuses a production configuration", async () => {
    await expect(sandboxConfig({ ...demoConfig, environment: "production" }, {}, municipalities, dir)).rejects.toThrow(
      "refusing to start: the configuration says environment: production. The demo and sandbox use self-signed keys and fixed users",
    );
  });

  it("npm start refuses the production configuration folder and says why", async () => {
    const run = promisify(execFile)(process.execPath, ["--import", "tsx", "src/demo/main.ts", "--config", "config"], { timeout: 60_000 });
    const failure = await run.then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain("refusing to start: the configuration says environment: production");
  });

  it("takes the public base URL and the listen address", async () => {
    const setup = await sandboxConfig(demoConfig, { baseUrl: "http://sandbox.vendor.example:8080", host: "0.0.0.0" }, municipalities, dir);
    expect(setup.config.baseUrl).toBe("http://sandbox.vendor.example:8080");
    expect(setup.config.host).toBe("0.0.0.0");
    expect(setup.publicHost).toBe("sandbox.vendor.example");
    expect(setup.notices).toEqual([]);
    const unreachable = await sandboxConfig(demoConfig, { host: "0.0.0.0" }, municipalities, dir);
    expect(unreachable.notices).toEqual(["listening on 0.0.0.0, but the URLs name 127.0.0.1: other machines cannot follow them; give --base-url http://<this machine's name>:8080"]);
    await expect(sandboxConfig(demoConfig, { baseUrl: "http://sandbox.vendor.example:8080/broker" }, municipalities, dir)).rejects.toThrow("an http(s) origin without path");
  });

  it("lets the demo parties listen on every interface and be named by the public host", async () => {
    setDemoNetwork({ bindHost: "0.0.0.0", publicHost: "localhost" });
    try {
      const { server, url } = await listenOn(0);
      const port = (server.address() as AddressInfo).port;
      expect((server.address() as AddressInfo).address).toBe("0.0.0.0");
      expect(url).toBe(`http://localhost:${port}`);
      server.on("request", (_req, res) => res.end("ok"));
      expect(await (await fetch(`http://localhost:${port}/`)).text()).toBe("ok");
      await closeServer(server);
    } finally {
      setDemoNetwork({ bindHost: "127.0.0.1", publicHost: "127.0.0.1" });
    }
  });

  it("reads a fagsystem's YAML file: its own level and role mappings win over the defaults", async () => {
    const metadata = await metadataFile("yaml-sp.xml", "https://vendor.example/yaml");
    const spec = join(dir, "fagsystem.yaml");
    writeFileSync(
      spec,
      [
        "metadata: yaml-sp.xml",
        "id: mit-fagsystem",
        "requiredLevel: { nsis: Substantial }",
        "roleMappings:",
        "  - { jobFunctionRole: http://demo-kommune.dk/roles/jobrole/leder/1, userSystemRole: http://vendor.example/roles/usersystemrole/chef/1 }",
      ].join("\n"),
    );
    const setup = await sandboxConfig(demoConfig, { sp: [spec], level: "nist2" }, municipalities, dir);
    const sp = setup.sps[0];
    expect(sp?.config.id).toBe("mit-fagsystem");
    expect(sp?.config.metadata).toBe(metadata);
    expect(sp?.config.requiredLevel).toEqual({ nsis: "Substantial" });
    expect(sp?.config.roleMappings).toEqual([{ jobFunctionRole: "http://demo-kommune.dk/roles/jobrole/leder/1", userSystemRole: "http://vendor.example/roles/usersystemrole/chef/1", restrictions: [] }]);
    expect(setup.config.serviceProviders.map((s) => s.id)).toContain("mit-fagsystem");
  });

  it("takes role mappings from --role flags", async () => {
    const metadata = await metadataFile("role-sp.xml", "https://vendor.example/roles");
    const role = "http://demo-kommune.dk/roles/jobrole/leder/1=http://vendor.example/roles/usersystemrole/admin/1";
    const setup = await sandboxConfig(demoConfig, { sp: [metadata], roles: [role] }, municipalities, dir);
    expect(setup.sps[0]?.config.roleMappings).toEqual([{ jobFunctionRole: "http://demo-kommune.dk/roles/jobrole/leder/1", userSystemRole: "http://vendor.example/roles/usersystemrole/admin/1", restrictions: [] }]);
    await expect(sandboxConfig(demoConfig, { sp: [metadata], roles: ["leder"] }, municipalities, dir)).rejects.toThrow("--role leder: give <job-function role>=<user-system role>");
  });

  it("refuses what is not SP metadata, and bad settings, naming the --sp", async () => {
    const notMetadata = join(dir, "not.xml");
    writeFileSync(notMetadata, "<html/>");
    await expect(sandboxConfig(demoConfig, { sp: [notMetadata] }, municipalities, dir)).rejects.toThrow(`--sp ${notMetadata}: not usable SAML SP metadata`);
    const metadata = await metadataFile("bad-sp.xml", "https://vendor.example/bad");
    await expect(sandboxConfig(demoConfig, { sp: [metadata], level: "medium" }, municipalities, dir)).rejects.toThrow("--level medium: choose one of low, substantial, high, nist2, nist3, nist4, none");
    await expect(sandboxConfig(demoConfig, { sp: [metadata], attributeProfile: "FOO" }, municipalities, dir)).rejects.toThrow(`--sp ${metadata}: invalid fagsystem settings:\n  attributeProfile:`);
    await expect(sandboxConfig(demoConfig, { sp: ["http://127.0.0.1:1/metadata"] }, municipalities, dir)).rejects.toThrow("--sp http://127.0.0.1:1/metadata: cannot fetch the metadata");
  });

  it("registers an OIDC fagsystem from --oidc-client <yaml>", async () => {
    const file = join(dir, "client.yaml");
    writeFileSync(file, ["clientId: vendor-app", "redirectUris: [http://localhost:3000/callback]", "tokenEndpointAuthMethod: client_secret_basic", "clientSecretEnv: VENDOR_APP_SECRET"].join("\n"));
    const setup = await sandboxConfig(demoConfig, { oidcClient: [file] }, municipalities, dir);
    const client = setup.config.oidcClients.find((c) => c.clientId === "vendor-app");
    expect(client?.id).toBe("vendor-app");
    expect(client?.requiredLevel).toEqual({ nist: 3 });
    expect(client?.tokenEndpointAuthMethod).toBe("client_secret_basic");
    expect(client?.roleMappings.map((m) => m.userSystemRole)).toContain("http://demo-kommune.dk/roles/usersystemrole/sagsbehandler/1");
    writeFileSync(file, "clientId: vendor-app\nredirectUris: [ftp://x]\n");
    await expect(sandboxConfig(demoConfig, { oidcClient: [file] }, municipalities, dir)).rejects.toThrow(`--oidc-client ${file}: invalid client settings:\n  redirectUris.0:`);
  });
});
