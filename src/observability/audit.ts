/**
 * The audit trail: structured records of policy decisions, written to the
 * log through an `audit` child logger (field audit=true, with an event name)
 * and, when `audit.file` is configured, appended as JSON lines to that file
 * for `explain <correlationId>`.
 */
import { AuditFile, type AuditFileSettings } from "./audit-file.js";
import type { BrokerContext } from "../broker-context.js";
import type { Logger } from "./logger.js";
import type { LevelRequirement, ReachedLevel } from "../profiles/levels.js";
import type { SubjectKind } from "../profiles/robot.js";
import type { RoleOutcome } from "../profiles/role-translation.js";
import { stepUpsTotal } from "./metrics.js";

export const EXPLANATION_KIND = "privilege-explanation";
export const STEP_UP_KIND = "step-up";
export const LOGIN_KIND = "login";

/**
 * Per finished login, answered or refused: one record. Identifiers only: the
 * person by the persistent id the upstream gave (UUID or RID, else the NameID),
 * never a CPR number or a name.
 */
export interface LoginRecord {
  kind: typeof LOGIN_KIND;
  at: string;
  correlationId: string;
  outcome: "succeeded" | "refused";
  /** fresh (through an upstream) or sso (answered from the browser's session). */
  entry: string;
  sp: string;
  /** The municipality's IdP, when one was chosen or answered. */
  idp: string | undefined;
  cvr: string | undefined;
  personId: string | undefined;
  /** What the fagsystem asked for, and the level the login proved (absent when refused before it was known). */
  levelAsked: LevelRequirement;
  loginLevel: ReachedLevel | undefined;
  /** Privilege groups released to the fagsystem. */
  privilegesReleased: number;
  /** Each upstream's verified answer: the assertion ids the login rests on (the municipal IdP's, then NemLog-in's). */
  evidence: Array<{ upstream: string; issuer: string; assertionId: string; authnInstant: string }>;
  /** Why it was refused (a stable reason code) and the detail. */
  reason?: string | undefined;
  detail?: string | undefined;
}

/** Per step-up (MitID Erhverv after the municipal login): bound to the same person, or refused, with the evidence of both steps. */
export interface StepUpRecord {
  kind: typeof STEP_UP_KIND;
  at: string;
  correlationId: string;
  sp: string;
  idp: string;
  cvr: string;
  outcome: "bound" | "refused";
  /** Why a step-up was refused (a stable reason code). */
  reason?: string | undefined;
  detail?: string | undefined;
  /** Which key bound the two steps (its value is never recorded). */
  binding: string;
  /** The merged level (bound), or what NemLog-in asserted (refused). Not `level`: in a log line that is pino's severity. */
  loginLevel: ReachedLevel;
  evidence: Array<{ upstream: string; issuer: string; assertionId: string; authnInstant: string }>;
}

/** Per login: what each role the IdP sent became, or why it was dropped. */
export interface ExplanationRecord {
  kind: typeof EXPLANATION_KIND;
  at: string;
  correlationId: string;
  sp: string;
  idp: string;
  cvr: string;
  subject: SubjectKind;
  /** The level the login proved. Not `level`: in a log line that is pino's severity. */
  loginLevel: ReachedLevel;
  outcomes: RoleOutcome[];
  /** Number of privilege groups released to the fagsystem. */
  released: number;
}

/** A record that must be kept could not be written: the login it belongs to does not complete. */
export class AuditUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuditUnavailableError";
  }
}

export class AuditTrail {
  private readonly log: Logger;
  private readonly file: string | undefined;
  private readonly writer: AuditFile | undefined;

  constructor(
    log: Logger,
    settings: AuditFileSettings | undefined,
    private readonly now: () => number,
  ) {
    this.log = log.child({ audit: true });
    this.file = settings?.file;
    this.writer = settings && new AuditFile(settings, now);
  }

  async recordExplanation(input: Omit<ExplanationRecord, "kind" | "at">): Promise<ExplanationRecord> {
    const record: ExplanationRecord = { kind: EXPLANATION_KIND, at: new Date(this.now()).toISOString(), ...input };
    const counts = { translated: 0, passedThrough: 0, dropped: 0 };
    for (const outcome of record.outcomes) {
      if (outcome.outcome === "translated") counts.translated += 1;
      else if (outcome.outcome === "passed-through") counts.passedThrough += 1;
      else counts.dropped += 1;
    }
    this.log.info({ event: "privileges_explained", ...record, counts }, `privileges for ${record.sp}: ${counts.translated} translated, ${counts.passedThrough} passed through, ${counts.dropped} dropped`);
    if (this.file !== undefined) await this.append(record);
    return record;
  }

  /**
   * A bound step-up completes only once its record (both assertions' evidence) is in the audit file:
   * when the file is configured and cannot be written, this throws AuditUnavailableError (fail closed).
   */
  async recordStepUp(input: Omit<StepUpRecord, "kind" | "at">): Promise<StepUpRecord> {
    const record: StepUpRecord = { kind: STEP_UP_KIND, at: new Date(this.now()).toISOString(), ...input };
    if (record.outcome === "bound") this.log.info({ event: "step_up_bound", ...record }, `step-up bound to the same person by ${record.binding}`);
    // The refusal's reason goes out as `refusal` here: the login_failed line carries it as `reason` (and counts it once).
    else this.log.warn({ event: "step_up_refused", ...record, reason: undefined, refusal: record.reason }, `step-up refused: ${record.reason ?? "unknown"}`);
    const written = this.file === undefined || (await this.append(record));
    if (!written && record.outcome === "bound") {
      stepUpsTotal.inc({ outcome: "refused" });
      throw new AuditUnavailableError(`the step-up record could not be written to ${this.file}`);
    }
    stepUpsTotal.inc({ outcome: record.outcome });
    return record;
  }

  /** Appends the login's record to the audit file (the log already has login_succeeded / login_failed). */
  async recordLogin(input: Omit<LoginRecord, "kind" | "at">): Promise<LoginRecord> {
    const record: LoginRecord = { kind: LOGIN_KIND, at: new Date(this.now()).toISOString(), ...input };
    if (this.file !== undefined) await this.append(record);
    return record;
  }

  /** Whether the record was written; a failure is logged. */
  private async append(record: ExplanationRecord | StepUpRecord | LoginRecord): Promise<boolean> {
    const file = this.file!;
    try {
      await this.writer!.write(JSON.stringify(record));
      return true;
    } catch (error) {
      this.log.error({ event: "audit_write_failed", file, correlationId: record.correlationId, detail: (error as Error).message }, "could not append to the audit file");
      return false;
    }
  }
}

const trails = new WeakMap<BrokerContext, AuditTrail>();

/** The broker's audit trail (one per running broker). */
export function auditTrail(broker: BrokerContext): AuditTrail {
  let trail = trails.get(broker);
  if (!trail) {
    const audit = broker.config.audit;
    trail = new AuditTrail(broker.log, audit?.file === undefined ? undefined : { ...audit, file: audit.file }, broker.now);
    trails.set(broker, trail);
  }
  return trail;
}
