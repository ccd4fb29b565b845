/**
 * Command line:
 *   demo                 broker + demo IdP + demo fagsystem (npm start)
 *   serve [--config D]   the broker alone, configured from D (default: config/ or BROKER_CONFIG_DIR)
 *   check-config [--config D]
 *   explain <correlationId> [--audit-file F | --config D]
 *                        what each role in that login became, or why it was dropped
 *                        (from the audit file, audit.file in the configuration)
 */
import { parseArgs } from "node:util";
import { loadConfig, ConfigError } from "../config/load-config.js";
import { buildBroker } from "../build-broker.js";
import { serveBroker } from "../serve.js";
import { runDemo } from "../demo/run-demo.js";
import { loadTrustRegistry } from "../trust/registry.js";
import { explainCommand } from "./explain.js";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { config: { type: "string" }, "audit-file": { type: "string" } },
});
const command = positionals[0] ?? "serve";

function onStop(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`received ${signal}, finishing in-flight requests and stopping`);
    const timer = setTimeout(() => process.exit(1), 10_000);
    stop().then(
      () => {
        clearTimeout(timer);
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => handler("SIGTERM"));
  process.on("SIGINT", () => handler("SIGINT"));
}

async function main(): Promise<void> {
  switch (command) {
    case "demo": {
      const config = loadConfig(values.config ?? "config/demo");
      const demo = await runDemo(config, {
        idp: Number(process.env["DEMO_IDP_PORT"] ?? 8090),
        sp: Number(process.env["DEMO_SP_PORT"] ?? 8091),
        skyIdp: Number(process.env["DEMO_SKY_IDP_PORT"] ?? 8092),
        attributeService: Number(process.env["DEMO_ATTRIBUTE_SERVICE_PORT"] ?? 8093),
        vestIdp: Number(process.env["DEMO_VEST_IDP_PORT"] ?? 8094),
        nemlogin: Number(process.env["DEMO_NEMLOGIN_PORT"] ?? 8095),
      });
      onStop(() => demo.stop());
      console.log(`\n  Demo running. Open the demo fagsystem:  ${demo.spUrl}/\n  Broker: ${config.baseUrl}/  Demo municipal IdP: ${demo.idpUrl}/sso\n  Stop with Ctrl+C.\n`);
      return;
    }
    case "serve": {
      const config = loadConfig(values.config ?? process.env["BROKER_CONFIG_DIR"] ?? "config");
      const running = await serveBroker(await buildBroker(config));
      onStop(() => running.stop());
      return;
    }
    case "check-config": {
      const config = loadConfig(values.config ?? process.env["BROKER_CONFIG_DIR"] ?? "config");
      const registry = loadTrustRegistry(config);
      const nemlogin = registry.nemLogIn();
      const stepUp = nemlogin ? `, step-up through ${nemlogin.metadata.entityId} for ${registry.identityProviders().filter((idp) => idp.policy.stepUp).length} of them` : "";
      console.log(`configuration is valid: ${registry.identityProviders().length} identity providers${stepUp}, ${registry.serviceProviders().length} fagsystemer`);
      if (!nemlogin) {
        for (const idp of registry.identityProviders().filter((p) => p.policy.stepUp)) console.log(`warning: ${idp.id} has stepUp, but no nemlogin is configured: its logins are not stepped up`);
      }
      return;
    }
    case "explain": {
      const auditFile = values["audit-file"] ?? loadConfig(values.config ?? process.env["BROKER_CONFIG_DIR"] ?? "config").audit.file;
      process.exitCode = explainCommand(positionals[1], auditFile);
      return;
    }
    default:
      console.error(`unknown command ${command}; use demo, serve, check-config or explain`);
      process.exit(2);
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`configuration error: ${error.message}`);
  } else {
    console.error(`could not start: ${(error as Error).message}`);
  }
  process.exit(1);
});
