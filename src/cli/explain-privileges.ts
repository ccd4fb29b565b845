/**
 * Reading the audit file back for an operator: the explanation of one login
 * by correlation id, as text. Used by the `explain` command.
 */
import { findAuditRecords } from "./audit-records.js";
import { byPosition, describeOutcome, type RoleOutcome } from "../profiles/role-translation.js";
import { describeLevel } from "../profiles/levels.js";
import { EXPLANATION_KIND, type ExplanationRecord } from "../observability/audit.js";

function isExplanation(value: unknown): value is ExplanationRecord {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return record["kind"] === EXPLANATION_KIND && typeof record["correlationId"] === "string" && Array.isArray(record["outcomes"]);
}

/** The explanation records for one correlation id, from JSON-lines text (lines that are not records are skipped). */
export function findExplanations(jsonLines: string, correlationId: string): ExplanationRecord[] {
  return findAuditRecords(jsonLines, correlationId, isExplanation);
}

export function formatExplanation(record: ExplanationRecord): string {
  const lines = [
    `login ${record.correlationId} at ${record.at}`,
    `  fagsystem ${record.sp}, IdP ${record.idp}, CVR ${record.cvr}, ${record.subject}, ${describeLevel(record.loginLevel)}`,
    `  ${record.outcomes.length} role(s) received, ${record.released} privilege group(s) released`,
  ];
  const outcomes: RoleOutcome[] = byPosition(record.outcomes);
  if (outcomes.length === 0) lines.push("  (the IdP sent no roles)");
  for (const outcome of outcomes) lines.push(`  ${describeOutcome(outcome)}`);
  return lines.join("\n");
}
