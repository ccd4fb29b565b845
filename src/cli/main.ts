/**
 * Command line:
 *   serve [--config D]   the broker alone, configured from D (default: config/ or BROKER_CONFIG_DIR)
 *   check-config [--config D]
 *   selfcheck --idp <id|CVR> [--json] [--config D]
 *   rollover [--config D] sign with keys.next.signing from now on, on every instance sharing the store
 *   explain <correlationId> [--audit-file F | --config D]
 *                        what each role in that login became, or why it was dropped
 *                        (from the audit file, audit.file in the configuration)
 */
import { parseArgs } from "node:util";
import { loadConfig, ConfigError } from "../config/load-config.js";
import { buildBroker } from "../build-broker.js";
import { serveBroker } from "../serve.js";
import { onStop } from "./on-stop.js";
import { checkConfig } from "./check-config.js";
import { explainCommand } from "./explain.js";
import { rolloverKeys } from "./rollover-keys.js";
import { formatSelfCheck, selfCheckFromConfig, UnknownIdp } from "./selfcheck.js";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { config: { type: "string" }, "audit-file": { type: "string" }, idp: { type: "string" }, json: { type: "boolean" } },
});
const command = positionals[0] ?? "serve";

async function main(): Promise<void> {
  switch (command) {
    case "serve": {
      const config = loadConfig(values.config ?? process.env["BROKER_CONFIG_DIR"] ?? "config");
      const broker = await buildBroker(config);
      const running = await serveBroker(broker);
      onStop(() => running.stop(), running.stopBoundMs);
      // An operator's key rollover for this process (and, through the store, every instance sharing it).
      process.on("SIGUSR2", () => void broker.rolloverSigning?.());
      return;
    }
    case "rollover": {
      const outcome = await rolloverKeys(loadConfig(values.config ?? process.env["BROKER_CONFIG_DIR"] ?? "config"));
      (outcome.ok ? console.log : console.error)(outcome.message);
      process.exitCode = outcome.ok ? 0 : 2;
      return;
    }
    case "check-config": {
      const report = checkConfig(loadConfig(values.config ?? process.env["BROKER_CONFIG_DIR"] ?? "config"));
      for (const line of report.lines) console.log(line);
      for (const warning of report.warnings) console.log(`warning: ${warning}`);
      return;
    }
    case "explain": {
      const auditFile = values["audit-file"] ?? loadConfig(values.config ?? process.env["BROKER_CONFIG_DIR"] ?? "config").audit.file;
      process.exitCode = explainCommand(positionals[1], auditFile);
      return;
    }
    case "selfcheck": {
      if (!values.idp) {
        console.error("usage: selfcheck --idp <id|CVR> [--json] [--config D]");
        process.exitCode = 2;
        return;
      }
      const config = loadConfig(values.config ?? process.env["BROKER_CONFIG_DIR"] ?? "config");
      try {
        const report = selfCheckFromConfig(config, values.idp);
        console.log(values.json ? JSON.stringify(report, null, 2) : formatSelfCheck(report, config.baseUrl));
        process.exitCode = report.overall === "fail" ? 1 : 0;
      } catch (error) {
        if (!(error instanceof UnknownIdp)) throw error;
        console.error(error.message);
        process.exitCode = 2;
      }
      return;
    }
    default:
      console.error(`unknown command ${command}; use serve, check-config, rollover, explain or selfcheck`);
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
