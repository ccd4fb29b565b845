/**
 * `selfcheck --idp <id|CVR> [--json]`: what the IdP self-check can find
 * without a login (metadata validity, both sides' certificates, the
 * registration's algorithms), as text or JSON. The checks that need a test
 * login (identity, privileges, levels, clock) run in a browser at /selfcheck.
 */
import { existsSync, readFileSync } from "node:fs";
import type { BrokerConfig } from "../config/schema.js";
import { loadTrustRegistry } from "../trust/registry.js";
import { buildRegistrationReport } from "../selfcheck/build-report.js";
import { registrationInput } from "../selfcheck/self-check-input.js";
import type { SelfCheckReport } from "../selfcheck/report-types.js";

export class UnknownIdp extends Error {}

export function selfCheckFromConfig(config: BrokerConfig, idpIdOrCvr: string, now: Date = new Date()): SelfCheckReport {
  const registry = loadTrustRegistry(config, now);
  const idp = registry.identityProvider(idpIdOrCvr) ?? registry.identityProviderForHint(idpIdOrCvr);
  if (!idp) throw new UnknownIdp(`no IdP is registered with id or CVR ${idpIdOrCvr} (registered: ${registry.identityProviders().map((p) => `${p.id} ${p.cvr}`).join(", ")})`);
  const brokerCertificate = existsSync(config.keys.signing.cert) ? readFileSync(config.keys.signing.cert, "utf8") : "";
  return buildRegistrationReport({ id: idp.id, displayName: idp.displayName, cvr: idp.cvr }, registrationInput(idp, brokerCertificate, now.getTime()));
}

export function formatSelfCheck(report: SelfCheckReport, baseUrl: string): string {
  const lines = [`self-check of ${report.idp.displayName} (${report.idp.id}, CVR ${report.idp.cvr}) at ${report.at}: ${report.overall.toUpperCase()}`];
  for (const check of report.checks) {
    lines.push(`  ${check.verdict.toUpperCase().padEnd(4)} ${check.title.en}: ${check.reason.en}`);
    if (check.fix) lines.push(`       what to do: ${check.fix.en}`);
  }
  if (report.scope === "registration") lines.push(`  identity, privileges, levels and clock need a test login: open ${baseUrl.replace(/\/+$/, "")}/selfcheck in a browser`);
  return lines.join("\n");
}
