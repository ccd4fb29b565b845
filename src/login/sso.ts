/**
 * Single sign-on across fagsystemer: a browser that already authenticated
 * through the broker is answered without a new trip to the IdP when
 *   - the fagsystem did not ask for ForceAuthn,
 *   - the session is younger than timing.ssoMaxAgeSeconds (0 disables SSO),
 *   - the municipality is the same (a hint naming another one wins),
 *   - and the pipeline, re-run for the new fagsystem on the stored upstream
 *     results, accepts it (its own level requirement and checks).
 * A step-up (NemLog-in) in the session counts while it is younger than
 * nemlogin.stepUpMaxAgeSeconds; when the pipeline needs a step-up the session
 * lacks, the person goes to NemLog-in only, not back to the municipal IdP.
 * Anything else sends the person to the IdP as usual.
 */
import type { BrokerContext } from "../broker-context.js";
import type { Interaction } from "./interaction.js";
import type { UpstreamNeeded } from "./pipeline-types.js";
import type { LoginRequest, UpstreamResult } from "./types.js";
import { LoginError } from "./login-error.js";
import { runPipeline } from "./pipeline.js";
import { upstreamsForReuse } from "./steps/step-up.js";
import { forDownstream } from "./login-unavailable.js";
import { SsoSessionRepository } from "./sso-session.js";
import { answerWithIdentity } from "../frontends/saml-idp/answer-sp.js";
import { StoreUnavailableError } from "../store/state-store.js";

/** Continues a login at a further upstream (step-up), with the session's results waiting in the login state. */
export type FurtherUpstream = (request: LoginRequest, completed: UpstreamResult[], need: UpstreamNeeded) => Promise<Interaction>;

export class SingleSignOn {
  private readonly sessions: SsoSessionRepository;

  constructor(
    private readonly broker: BrokerContext,
    private readonly furtherUpstream?: FurtherUpstream,
  ) {
    this.sessions = new SsoSessionRepository(broker.store, broker.config.timing.ssoMaxAgeSeconds, broker.now);
  }

  /** The answer to the fagsystem from the browser's session, or undefined to authenticate upstream. */
  async answer(request: LoginRequest, sessionId: string | undefined, hint: string | undefined): Promise<Interaction | undefined> {
    if (request.forceAuthn || !this.sessions.enabled || sessionId === undefined) return undefined;
    const session = await forDownstream(request.downstream, () => this.sessions.find(sessionId));
    if (!session) return undefined;
    const log = this.broker.log.child({ correlationId: request.correlationId });
    const hinted = hint === undefined ? undefined : this.broker.registry.identityProviderForHint(hint);
    if ((hint !== undefined && hinted?.id !== session.idpId) || !this.broker.registry.identityProvider(session.idpId)) {
      log.info({ event: "sso_declined", reason: "sso_other_municipality", sp: request.downstream.spId }, "SSO session is for another municipality");
      return undefined;
    }
    let identity;
    try {
      const upstreams = upstreamsForReuse(this.broker, request, session.upstreams);
      const outcome = await runPipeline({ broker: this.broker, request, upstreams, identity: undefined });
      if (outcome.kind === "upstream-needed") {
        if (!this.furtherUpstream) return undefined;
        log.info({ event: "sso_step_up", sp: request.downstream.spId, idp: session.idpId, level: outcome.need.level }, "SSO session lacks the level; stepping up without a new municipal login");
        return await this.furtherUpstream(request, outcome.context.upstreams, outcome.need);
      }
      identity = outcome.identity;
    } catch (error) {
      if (!(error instanceof LoginError)) throw error;
      log.info({ event: "sso_declined", reason: error.reason, sp: request.downstream.spId }, "SSO session not sufficient for this fagsystem; authenticating upstream");
      return undefined;
    }
    const interaction = await answerWithIdentity(this.broker, request.downstream, identity);
    log.info(
      {
        event: "login_succeeded",
        sso: true,
        sp: request.downstream.spId,
        idp: session.idpId,
        cvr: identity.organisation.cvr,
        level: identity.level,
        authenticatedAt: new Date(session.authenticatedAt).toISOString(),
        evidence: identity.evidence.map((e) => e.assertionId),
      },
      "login answered from the SSO session",
    );
    return interaction;
  }

  /** Starts a session after an upstream authentication. Returns its id for the cookie, or undefined (SSO off, or store down). */
  async remember(request: LoginRequest, upstreams: UpstreamResult[]): Promise<string | undefined> {
    const municipal = upstreams.find((u) => u.kind === "municipal-idp");
    if (!this.sessions.enabled || !municipal) return undefined;
    try {
      return await this.sessions.create(municipal.upstreamId, upstreams);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      // The login itself is complete; only the convenience of SSO is lost.
      this.broker.log.warn({ correlationId: request.correlationId, reason: "store_unavailable", detail: error.message }, "could not save the SSO session");
      return undefined;
    }
  }
}
