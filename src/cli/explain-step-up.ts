/**
 * Reading step-up records back from the audit file for an operator: what
 * bound (or refused) a step-up in one login, with both assertions. Used by
 * the `explain` command next to the privilege explanation.
 */
import { findAuditRecords } from "./audit-records.js";
import { describeLevel } from "../profiles/levels.js";
import { STEP_UP_KIND, type StepUpRecord } from "../observability/audit.js";

function isStepUp(value: unknown): value is StepUpRecord {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return record["kind"] === STEP_UP_KIND && typeof record["correlationId"] === "string" && Array.isArray(record["evidence"]);
}

/** The step-up records for one correlation id, from JSON-lines text (other lines are skipped). */
export function findStepUps(jsonLines: string, correlationId: string): StepUpRecord[] {
  return findAuditRecords(jsonLines, correlationId, isStepUp);
}

export function formatStepUp(record: StepUpRecord): string {
  const outcome = record.outcome === "bound" ? `bound by ${record.binding}` : `refused (${record.reason ?? "unknown"}, binding ${record.binding})`;
  const lines = [
    `step-up ${record.correlationId} at ${record.at}: ${outcome}`,
    `  fagsystem ${record.sp}, IdP ${record.idp}, CVR ${record.cvr}, ${describeLevel(record.loginLevel)}`,
  ];
  if (record.detail) lines.push(`  ${record.detail}`);
  for (const e of record.evidence) lines.push(`  ${e.upstream}: ${e.issuer} assertion ${e.assertionId} (authenticated ${e.authnInstant})`);
  return lines.join("\n");
}
