/** `explain <correlationId>`: prints how one login ended, its step-up and its privilege explanation, from the audit file. Returns the exit code. */
import { existsSync, readFileSync } from "node:fs";
import { auditFilesOf } from "../observability/audit-file.js";
import { findExplanations, formatExplanation } from "./explain-privileges.js";
import { findStepUps, formatStepUp } from "./explain-step-up.js";
import { findLogins, formatLogin } from "./explain-login.js";

export function explainCommand(correlationId: string | undefined, auditFile: string | undefined): number {
  if (!correlationId) {
    console.error("usage: explain <correlationId> [--audit-file F | --config D]");
    return 2;
  }
  if (!auditFile) {
    console.error("no audit file: set audit.file in the configuration or pass --audit-file");
    return 2;
  }
  let text: string;
  try {
    // The rotated files first (oldest first), then the current one.
    const files = auditFilesOf(auditFile).filter((file) => file !== auditFile || existsSync(file));
    if (files.length === 0) throw new Error("no such file");
    text = files.map((file) => readFileSync(file, "utf8")).join("");
  } catch (error) {
    console.error(`cannot read the audit file ${auditFile}: ${(error as Error).message}`);
    return 1;
  }
  const records = findExplanations(text, correlationId);
  const stepUps = findStepUps(text, correlationId);
  const logins = findLogins(text, correlationId);
  if (records.length === 0 && stepUps.length === 0 && logins.length === 0) {
    console.error(`no explanation for correlation id ${correlationId} in ${auditFile}`);
    return 1;
  }
  console.log([...logins.map(formatLogin), ...stepUps.map(formatStepUp), ...records.map(formatExplanation)].join("\n\n"));
  return 0;
}
