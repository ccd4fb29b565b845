/**
 * The demo's own entry point (`npm start`): the broker with demo
 * municipalities, a demo NemLog-in and a demo fagsystem, all on this machine.
 * The production CLI (src/cli/main.ts) and the production image never load it.
 */
import { parseArgs } from "node:util";
import { loadConfig, ConfigError } from "../config/load-config.js";
import { onStop } from "../cli/on-stop.js";
import { runDemo } from "./run-demo.js";

const { values } = parseArgs({ allowPositionals: true, options: { config: { type: "string" } } });

async function main(): Promise<void> {
  const config = loadConfig(values.config ?? "config/demo");
  const demo = await runDemo(config, {
    idp: Number(process.env["DEMO_IDP_PORT"] ?? 8090),
    sp: Number(process.env["DEMO_SP_PORT"] ?? 8091),
    skyIdp: Number(process.env["DEMO_SKY_IDP_PORT"] ?? 8092),
    attributeService: Number(process.env["DEMO_ATTRIBUTE_SERVICE_PORT"] ?? 8093),
    vestIdp: Number(process.env["DEMO_VEST_IDP_PORT"] ?? 8094),
    nemlogin: Number(process.env["DEMO_NEMLOGIN_PORT"] ?? 8095),
    oidcRp: Number(process.env["DEMO_OIDC_PORT"] ?? 8096),
    nordOp: Number(process.env["DEMO_NORD_PORT"] ?? 8097),
    seb: Number(process.env["DEMO_SEB_PORT"] ?? 8098),
  });
  onStop(() => demo.stop());
  console.log(`\n  Demo running. Open the demo fagsystem:  ${demo.spUrl}/\n${demo.oidcRpUrl ? `  The demo OIDC fagsystem:  ${demo.oidcRpUrl}/\n` : ""}${demo.sebUrl ? `  The demo SEB:  ${demo.sebUrl}/\n` : ""}  Broker: ${config.baseUrl}/  Demo municipal IdP: ${demo.idpUrl}/sso\n  Stop with Ctrl+C.\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `configuration error: ${error.message}` : `could not start the demo: ${(error as Error).message}`);
  process.exit(1);
});
