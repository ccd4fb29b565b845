/**
 * The login core's entry points, called by the HTTP edge: a party's request
 * begins a login, the chooser continues it, an upstream's verified answer
 * resumes it. Each runs the one table in login-flow.ts; refusals become the
 * party's answer through its frontend (ports.ts).
 */
import type { BrokerContext } from "../broker-context.js";
import type { IdentityProvider } from "../trust/registry.js";
import type { Interaction } from "../model/interaction.js";
import type { LoginRequest } from "../model/login-request.js";
import { withNotice } from "../model/interaction.js";
import { LoginError, PageError } from "../model/login-error.js";
import { LoginClock, UNTIMED, type PhaseTimer } from "../observability/login-timings.js";
import { StoreUnavailableError } from "../store/state-store.js";
import type { FlowState } from "./flow-types.js";
import { runLogin, stateWhenRefused, type LoginOutcome } from "./login-flow.js";
import { recordLogin } from "./login-record.js";
import { inSpan } from "../observability/tracing.js";
import type { LoginStateRepository } from "./login-state.js";
import { SsoSessionRepository } from "./sso-session.js";
import { forDownstream, LoginUnavailable } from "./login-unavailable.js";
import { UpstreamFailure, type LoginPorts, type ReceivedAnswer } from "./ports.js";
import { bindingMatches, upstreamBindingEnforced } from "./browser-binding.js";

/** The browser's binding cookies, by the key of the login step they bind (the HTTP edge reads them). */
export type PresentedBindings = (key: string) => string | undefined;

const NOT_COMPLETED = "Login kunne ikke gennemføres / The login could not be completed";
const UNBOUND_ANSWER_NOTICE =
  "Svaret fra login-tjenesten kom ikke tilbage til den browser, der startede loginet (eller browseren har ikke gemt dens cookie). Start forfra fra systemet i denne browser. / The answer from the login service did not come back to the browser that started the login (or the browser did not keep its cookie). Please start again from the system in this browser.";
const NOT_RECORDED_NOTICE = "Loginet kunne ikke registreres, så det blev ikke gennemført. Prøv igen senere. / The login could not be recorded, so it was not completed. Please try again later.";
const MUNICIPAL_FAILURE_NOTICE =
  "Svaret fra kommunens login kunne ikke bruges, eller loginet blev afbrudt. / The answer from the municipal login could not be used, or the login was cancelled.";

/** What the party and the person are told when a further upstream step (step-up) fails, by its name in the ports' table. */
const FURTHER_UPSTREAM_FAILURES: Readonly<Record<string, { message: string; notice: string }>> = {
  nemlogin: {
    message: "Step-up authentication at NemLog-in failed",
    notice: "MitID-loginet hos NemLog-in blev ikke gennemført, eller svaret kunne ikke bruges. / The MitID login at NemLog-in was not completed, or its answer could not be used.",
  },
};

export interface BeginOutcome {
  interaction: Interaction;
  /** The IdP chosen without asking (hint or cookie), to remember in the browser. */
  chosenIdp: IdentityProvider | undefined;
}

export interface CompleteOutcome {
  interaction: Interaction;
  correlationId: string;
  ssoSessionId?: string | undefined;
  /** The key of the browser binding this answer used up (the edge removes its cookie). */
  releasedBinding?: string | undefined;
}

export class LoginService {
  private readonly sessions: SsoSessionRepository;
  private readonly bindUpstreamSteps: boolean;

  constructor(
    private readonly broker: BrokerContext,
    private readonly ports: LoginPorts,
    private readonly states: LoginStateRepository,
  ) {
    this.sessions = new SsoSessionRepository(broker.store, broker.config.timing.ssoMaxAgeSeconds, broker.now);
    this.bindUpstreamSteps = upstreamBindingEnforced(broker.config.upstreamBrowserBinding, broker.urls.base);
  }

  private state(request: LoginRequest, fields: Partial<FlowState> = {}, timer: PhaseTimer = UNTIMED): FlowState {
    return {
      broker: this.broker,
      ports: this.ports,
      states: this.states,
      sessions: this.sessions,
      request,
      upstreams: [],
      identity: undefined,
      entry: "fresh",
      timer,
      ssoSessionId: undefined,
      session: undefined,
      rememberedIdpId: undefined,
      idp: undefined,
      rememberChoice: false,
      newSsoSessionId: undefined,
      ...fields,
    };
  }

  /** Starts a login: from the SSO session, straight to the IdP when the municipality is known, otherwise to the chooser. */
  async begin(request: LoginRequest, rememberedIdpId: string | undefined, ssoSessionId?: string): Promise<BeginOutcome> {
    const outcome = await this.run(this.state({ ...request, priorSsoSessionId: ssoSessionId }, { rememberedIdpId, ssoSessionId }));
    const idp = outcome.state.entry === "fresh" && outcome.state.rememberChoice ? outcome.state.idp : undefined;
    return { interaction: outcome.interaction, chosenIdp: idp };
  }

  /** The person chose a municipality on the chooser page. */
  async choose(loginId: string, idpId: string, browserBinding: string | undefined): Promise<{ interaction: Interaction; idp: IdentityProvider }> {
    const pending = await this.states.peekPending(loginId);
    if (!pending) throw new PageError(400, "unknown_login", "chooser used for an unknown or expired login", "Login er udløbet. Start forfra fra systemet. / The login has expired. Please start again from the system.");
    if (!bindingMatches(pending.browserBinding, browserBinding)) {
      throw new PageError(403, "chooser_binding_mismatch", "chooser form did not come from the browser that started the login", "Valget kunne ikke bekræftes. Start forfra. / The choice could not be confirmed. Please start again.");
    }
    const idp = this.broker.registry.identityProvider(idpId);
    if (!idp) throw new PageError(400, "unknown_municipality", `chooser named unknown IdP ${idpId.slice(0, 64)}`, "Den valgte kommune kendes ikke. / The chosen municipality is not known.");
    const taken = await forDownstream(pending.request.downstream, () => this.states.takePending(loginId));
    if (!taken) throw new PageError(400, "unknown_login", "login already continued", "Login er allerede i gang. / The login is already in progress.");
    const outcome = await this.run(this.state(taken.request, { idp }), "authenticate");
    return { interaction: outcome.interaction, idp };
  }

  /**
   * An upstream answered: `receive` (the backend) verifies the answer and
   * finds its login. Returns the party's answer, or the next upstream step.
   */
  async complete(receive: (timer: PhaseTimer) => Promise<ReceivedAnswer>, presented: PresentedBindings = () => undefined): Promise<CompleteOutcome> {
    const clock = new LoginClock();
    let received: ReceivedAnswer;
    try {
      // The upstream's answer, verified by its backend; the login (and its correlation id) is known once it is found.
      received = await inSpan("upstream.receive", {}, async (span) => {
        try {
          const answer = await receive(clock);
          span?.setAttributes({ correlationId: answer.state.request.correlationId, "upstream.id": answer.result.upstreamId });
          return answer;
        } catch (error) {
          if (error instanceof UpstreamFailure) span?.setAttributes({ correlationId: error.state.request.correlationId, "upstream.refusal": error.reason });
          throw error;
        }
      });
    } catch (error) {
      if (error instanceof UpstreamFailure) return this.upstreamFailed(error);
      throw error;
    }
    const { state, result } = received;
    const unbound = this.unboundAnswer(state, presented);
    if (unbound) return this.upstreamFailed(unbound);
    const request = state.request;
    const outcome = await this.run(this.state(request, { entry: "resume", upstreams: [...state.completed, result], timer: clock }), "map-identity");
    if (outcome.stoppedAt === "answer") {
      const timings = clock.timings();
      this.broker.log.debug({ correlationId: request.correlationId, event: "login_timings", ms: timings }, "login step timings");
      this.broker.onLoginTimings?.(timings);
    }
    return { interaction: outcome.interaction, correlationId: request.correlationId, ssoSessionId: outcome.state.newSsoSessionId, releasedBinding: state.browserBinding?.key };
  }

  /**
   * The answer arrived in a browser other than the one sent to the upstream
   * (login CSRF: someone's answer injected into another person's browser), or
   * the browser lost the cookie: the login is refused.
   */
  private unboundAnswer(state: ReceivedAnswer["state"], presented: PresentedBindings): UpstreamFailure | undefined {
    if (!this.bindUpstreamSteps) return undefined;
    const binding = state.browserBinding;
    if (!binding) return new UpstreamFailure(state, "browser_binding_missing", "the login was not bound to a browser when it was sent to the upstream");
    const value = presented(binding.key);
    if (value === undefined) return new UpstreamFailure(state, "browser_binding_missing", "the answer arrived without the cookie set when the browser was sent to the upstream");
    if (!bindingMatches(binding.value, value)) return new UpstreamFailure(state, "browser_binding_mismatch", "the answer arrived in a browser other than the one sent to the upstream");
    return undefined;
  }

  /** Runs the table; a refusal becomes the party's answer (with a page for the person first). */
  private async run(state: FlowState, from?: string): Promise<LoginOutcome> {
    try {
      return await runLogin(state, from);
    } catch (error) {
      if (!(error instanceof LoginError)) throw error;
      const { request } = state;
      this.broker.log.warn({ correlationId: request.correlationId, event: "login_failed", reason: error.reason, detail: error.message, sp: request.downstream.partyId }, "login refused by policy");
      const reached = stateWhenRefused(error) ?? state;
      await recordLogin({
        broker: this.broker,
        request,
        entry: reached.entry,
        upstreams: reached.upstreams,
        idpId: reached.idp?.id,
        identity: reached.identity,
        refusal: { reason: error.reason, detail: error.message },
      });
      return { interaction: this.refuse(request, error, error.userMessage), state, stoppedAt: "refused" };
    }
  }

  private refuse(request: LoginRequest, error: LoginError, userMessage: string): Interaction {
    const frontend = this.ports.frontends[request.downstream.frontend];
    if (!frontend) throw new PageError(500, "frontend_gone", `no frontend ${request.downstream.frontend} is wired`, NOT_COMPLETED);
    return withNotice(frontend.refuse(request, error), { title: NOT_COMPLETED, message: userMessage, correlationId: request.correlationId });
  }

  /** The upstream's answer could not be used, after its login was found: the party is told. */
  private async upstreamFailed(failure: UpstreamFailure): Promise<CompleteOutcome> {
    const { request } = failure.state;
    const cause = failure.unexpected;
    if (cause instanceof StoreUnavailableError) throw cause instanceof LoginUnavailable ? cause : new LoginUnavailable(request.downstream, cause);
    this.broker.log.warn({ correlationId: request.correlationId, reason: failure.reason, detail: failure.message, idp: failure.state.upstreamId }, "upstream response rejected");
    if (cause) this.broker.log.error({ correlationId: request.correlationId, err: cause }, "unexpected error in upstream response");
    await recordLogin({
      broker: this.broker,
      request,
      entry: "resume",
      upstreams: failure.state.completed,
      idpId: failure.state.upstreamKind === "nemlogin" ? undefined : failure.state.upstreamId,
      refusal: { reason: failure.reason, detail: failure.message },
    });
    const further = FURTHER_UPSTREAM_FAILURES[failure.state.upstreamKind ?? ""];
    const error = new LoginError(failure.reason, further?.message ?? "Authentication at the municipal identity provider failed", failure.refusal);
    const frontend = this.ports.frontends[request.downstream.frontend];
    if (!frontend) throw new PageError(500, "frontend_gone", `no frontend ${request.downstream.frontend} is wired`, NOT_COMPLETED);
    const answer = frontend.refuse(request, error);
    return {
      // The person is told why the login ends here (with the correlation id) before the answer goes on.
      interaction: withNotice(answer, { title: NOT_COMPLETED, message: noticeFor(failure, further?.notice), correlationId: request.correlationId }),
      correlationId: request.correlationId,
    };
  }
}

function noticeFor(failure: UpstreamFailure, further: string | undefined): string {
  if (failure.reason.startsWith("browser_binding_")) return UNBOUND_ANSWER_NOTICE;
  if (failure.reason === "audit_unavailable") return NOT_RECORDED_NOTICE;
  return further ?? MUNICIPAL_FAILURE_NOTICE;
}
