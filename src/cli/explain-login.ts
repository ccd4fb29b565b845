/**
 * Reading login records back from the audit file for an operator: how one
 * login ended (answered or refused, and why), for which fagsystem and
 * organisation, at which level against what was asked, on which evidence.
 */
import { findAuditRecords } from "./audit-records.js";
import { describeLevel, describeRequirement } from "../profiles/levels.js";
import { LOGIN_KIND, type LoginRecord } from "../observability/audit.js";

function isLogin(value: unknown): value is LoginRecord {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return record["kind"] === LOGIN_KIND && typeof record["correlationId"] === "string" && Array.isArray(record["evidence"]);
}

/** The login records for one correlation id, from JSON-lines text (other lines are skipped). */
export function findLogins(jsonLines: string, correlationId: string): LoginRecord[] {
  return findAuditRecords(jsonLines, correlationId, isLogin);
}

export function formatLogin(record: LoginRecord): string {
  const outcome = record.outcome === "succeeded" ? `answered${record.entry === "sso" ? " from the SSO session" : ""}` : `refused (${record.reason ?? "unknown"})`;
  const lines = [
    `login ${record.correlationId} at ${record.at}: ${outcome}`,
    `  fagsystem ${record.sp}, IdP ${record.idp ?? "none chosen"}, CVR ${record.cvr ?? "unknown"}, person ${record.personId ?? "unknown"}`,
    `  asked ${describeRequirement(record.levelAsked)}, proved ${record.loginLevel ? describeLevel(record.loginLevel) : "nothing yet"}, ${record.privilegesReleased} privilege group(s) released`,
  ];
  if (record.detail) lines.push(`  ${record.detail}`);
  for (const e of record.evidence) lines.push(`  ${e.upstream}: ${e.issuer} assertion ${e.assertionId} (authenticated ${e.authnInstant})`);
  return lines.join("\n");
}
