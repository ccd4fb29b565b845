/**
 * The self-check as a purpose of its own: a test login at a municipality's IdP
 * (its real upstream, the normal verification), whose verified answer becomes
 * a report instead of going on to a fagsystem. Nothing is issued to anyone;
 * the report (with the test person's data) lives in the store for
 * REPORT_TTL_SECONDS, readable only with its random id.
 */
import { randomBytes } from "node:crypto";
import type { BrokerContext } from "../broker-context.js";
import type { LoginPorts, ReceivedAnswer, StartedUpstream } from "../login/ports.js";
import { UpstreamFailure } from "../login/ports.js";
import type { LoginRequest } from "../model/login-request.js";
import type { IdentityProvider } from "../trust/registry.js";
import { buildFailedReport, buildReport } from "./build-report.js";
import { selfCheckInput } from "./self-check-input.js";
import type { SelfCheckReport } from "./report-types.js";
import { requestedLevel, scopingSent } from "./requested-level.js";
import { probeAttributeService } from "./attribute-service-probe.js";
import type { LevelRequirement } from "../profiles/levels.js";

/** The name a self-check's login carries as its downstream: never a frontend of the login core. */
export const SELF_CHECK = "selfcheck";
export const REPORT_TTL_SECONDS = 900;

/** An upstream answer (or its failure) that belongs to a self-check, taken out of the login's path. */
export class SelfCheckAnswer extends Error {
  constructor(readonly outcome: { answer: ReceivedAnswer } | { failure: UpstreamFailure }) {
    super("self-check answer");
    this.name = "SelfCheckAnswer";
  }
}

export function isSelfCheck(request: LoginRequest): boolean {
  return request.downstream.frontend === SELF_CHECK;
}

/** Wraps an upstream's receive: a self-check's answer or failure is thrown as SelfCheckAnswer, every other answer passes. */
export function divertSelfChecks<T>(receive: (timer: T) => Promise<ReceivedAnswer>): (timer: T) => Promise<ReceivedAnswer> {
  return async (timer) => {
    let answer: ReceivedAnswer;
    try {
      answer = await receive(timer);
    } catch (error) {
      if (error instanceof UpstreamFailure && isSelfCheck(error.state.request)) throw new SelfCheckAnswer({ failure: error });
      throw error;
    }
    if (isSelfCheck(answer.state.request)) throw new SelfCheckAnswer({ answer });
    return answer;
  };
}

function newReportId(): string {
  return randomBytes(18).toString("base64url");
}

export class SelfCheckService {
  constructor(
    private readonly broker: BrokerContext,
    private readonly ports: LoginPorts,
  ) {}

  /** The IdPs a self-check may test: those registered with the broker. */
  idps(): IdentityProvider[] {
    return this.broker.registry.identityProviders();
  }

  /**
   * Sends the browser to the IdP with a signed request. `level` (from the
   * chooser) is asked of the IdP itself as a real login would send it per the
   * registration, never routed to a step-up.
   */
  async start(idp: IdentityProvider, correlationId: string, level: LevelRequirement = { kind: "none" }): Promise<StartedUpstream> {
    const request: LoginRequest = {
      correlationId,
      downstream: { frontend: SELF_CHECK, partyId: SELF_CHECK, reply: {} },
      requiredLevel: level,
      levelAtIdpOnly: true,
      // Where the registration sends Scoping, the self-check's request carries it too, naming the broker itself.
      requesterId: this.broker.config.entityId,
      forceAuthn: true,
      isPassive: false,
      municipalityHint: undefined,
      createdAt: this.broker.now(),
    };
    const started = await this.ports.municipalUpstream(idp).start(idp, request, []);
    this.broker.log.info({ correlationId, event: "selfcheck_started", idp: idp.id, requestedLevel: level, upstreamRequestId: started.upstreamRequestId }, "self-check started");
    return started;
  }

  /** The report for a diverted answer, stored under a new random id. */
  async finish(diverted: SelfCheckAnswer): Promise<{ reportId: string; report: SelfCheckReport; correlationId: string }> {
    const outcome = diverted.outcome;
    const state = "answer" in outcome ? outcome.answer.state : outcome.failure.state;
    const correlationId = state.request.correlationId;
    const idp = this.broker.registry.identityProvider(state.upstreamId);
    const who = { id: state.upstreamId, displayName: idp?.displayName ?? state.upstreamId, cvr: idp?.cvr ?? "" };
    const now = this.broker.now();
    // The login state carries the request: the report keeps the level asked for and how it was sent.
    const requested = idp ? requestedLevel(this.broker, idp, state.request.requiredLevel) : undefined;
    const scoping = idp ? scopingSent(this.broker, idp) : undefined;
    const report =
      "answer" in outcome && idp
        ? buildReport(who, { ...selfCheckInput(this.broker, idp, outcome.answer.result), requested, scoping, attributeService: await probeAttributeService(this.broker, idp, outcome.answer.result, correlationId) }, now)
        : buildFailedReport(who, "failure" in outcome ? { reason: outcome.failure.reason, status: outcome.failure.upstreamStatus, message: outcome.failure.message } : { reason: "idp_gone", status: undefined, message: "" }, { requested, scoping }, now);
    const reportId = newReportId();
    await this.broker.store.put(`selfcheck:${reportId}`, JSON.stringify(report), REPORT_TTL_SECONDS);
    this.broker.log.info({ correlationId, event: "selfcheck_finished", idp: who.id, overall: report.overall, failed: report.checks.filter((c) => c.verdict === "fail").map((c) => c.id) }, "self-check finished");
    return { reportId, report, correlationId };
  }

  async report(reportId: string): Promise<SelfCheckReport | undefined> {
    if (!/^[A-Za-z0-9_-]{24}$/.test(reportId)) return undefined;
    const raw = await this.broker.store.get(`selfcheck:${reportId}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as SelfCheckReport);
  }
}
