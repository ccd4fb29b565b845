/**
 * The demo's own entry point (`npm start`): the broker with demo
 * municipalities, a demo NemLog-in and a demo fagsystem, all on this machine;
 * with `--sp` / `--oidc-client` a sandbox where a vendor's own fagsystem logs
 * in too (README, "For fagsystem vendors"). The production CLI
 * (src/cli/main.ts) and the production image never load it.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig, ConfigError } from "../config/load-config.js";
import { onStop } from "../cli/on-stop.js";
import { runDemo } from "./run-demo.js";
import { DemoUsersError, DemoUsersSource, SHIPPED_USERS_FILE } from "./demo-users-file.js";
import { setDemoNetwork } from "./demo-servers.js";
import { sandboxConfig } from "./sandbox-config.js";
import { SandboxError } from "./sandbox-sp.js";
import { oidcInstructions, SANDBOX_WARNING, sandboxInstructions } from "./sandbox-instructions.js";

const { values } = parseArgs({
  allowPositionals: true,
  options: {
    config: { type: "string" },
    users: { type: "string" },
    sp: { type: "string", multiple: true },
    "oidc-client": { type: "string", multiple: true },
    level: { type: "string" },
    role: { type: "string", multiple: true },
    "attribute-profile": { type: "string" },
    "sign-response": { type: "boolean" },
    "legacy-key-transport": { type: "boolean" },
    host: { type: "string" },
    "base-url": { type: "string" },
  },
});

async function main(): Promise<void> {
  const users = new DemoUsersSource(resolve(values.users ?? SHIPPED_USERS_FILE));
  const setup = await sandboxConfig(
    loadConfig(values.config ?? "config/demo"),
    {
      sp: values.sp,
      oidcClient: values["oidc-client"],
      level: values.level,
      roles: values.role,
      attributeProfile: values["attribute-profile"],
      signResponse: values["sign-response"],
      legacyKeyTransport: values["legacy-key-transport"],
      host: values.host,
      baseUrl: values["base-url"],
    },
    users.all(),
    "var/demo/metadata/sps",
  );
  const { config } = setup;
  console.log(`\n${SANDBOX_WARNING}\n`);
  for (const notice of setup.notices) console.log(`  Note: ${notice}\n`);
  setDemoNetwork({ bindHost: config.host, publicHost: setup.publicHost });
  const demo = await runDemo(
    config,
    {
      idp: Number(process.env["DEMO_IDP_PORT"] ?? 8090),
      sp: Number(process.env["DEMO_SP_PORT"] ?? 8091),
      skyIdp: Number(process.env["DEMO_SKY_IDP_PORT"] ?? 8092),
      attributeService: Number(process.env["DEMO_ATTRIBUTE_SERVICE_PORT"] ?? 8093),
      vestIdp: Number(process.env["DEMO_VEST_IDP_PORT"] ?? 8094),
      nemlogin: Number(process.env["DEMO_NEMLOGIN_PORT"] ?? 8095),
      oidcRp: Number(process.env["DEMO_OIDC_PORT"] ?? 8096),
      nordOp: Number(process.env["DEMO_NORD_PORT"] ?? 8097),
      seb: Number(process.env["DEMO_SEB_PORT"] ?? 8098),
      fejlIdp: Number(process.env["DEMO_FEJL_PORT"] ?? 8099),
    },
    "var/demo/keys",
    { users },
  );
  onStop(() => demo.stop());
  console.log(sandboxInstructions(config, setup.sps, users.all()));
  console.log(oidcInstructions(config, setup.oidcClients));
  console.log(
    `\n  Demo running. Open the demo fagsystem:  ${demo.spUrl}/\n${demo.oidcRpUrl ? `  The demo OIDC fagsystem:  ${demo.oidcRpUrl}/\n` : ""}${demo.sebUrl ? `  The demo SEB:  ${demo.sebUrl}/\n` : ""}  Broker: ${config.baseUrl}/  Demo municipal IdP: ${demo.idpUrl}/sso\n  Demo users: ${users.file} (read again when it changes)\n  Stop with Ctrl+C.\n`,
  );
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError ? `configuration error: ${error.message}` : error instanceof SandboxError || error instanceof DemoUsersError ? error.message : undefined;
  console.error(known ?? `could not start the demo: ${(error as Error).message}`);
  process.exit(1);
});
