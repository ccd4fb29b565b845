/**
 * Runs a login across its redirects: choose the municipality, authenticate
 * upstream, run the pipeline, answer the downstream party. Protocol details
 * stay in the frontend (answer) and backend (upstream) modules it calls.
 */
import type { BrokerContext } from "../broker-context.js";
import { XmlError } from "../xml/xml-error.js";
import type { IdentityProvider } from "../trust/registry.js";
import { withNotice, type Interaction } from "./interaction.js";
import type { LoginRequest, UpstreamResult } from "./types.js";
import { LoginStateRepository, newId } from "./login-state.js";
import { LoginError } from "./login-error.js";
import { runPipeline } from "./pipeline.js";
import type { UpstreamNeeded } from "./pipeline-types.js";
import { startNemLogIn } from "../backends/nemlogin/nemlogin-upstream.js";
import { SamlUpstream, UpstreamFailure } from "../backends/saml-sp/saml-upstream.js";
import { answerWithError, answerWithIdentity } from "../frontends/saml-idp/answer-sp.js";
import { SamlError } from "../saml/saml-error.js";
import { STATUS } from "../saml/namespaces.js";
import { StoreUnavailableError } from "../store/state-store.js";
import { forDownstream, LoginUnavailable } from "./login-unavailable.js";
import { SingleSignOn } from "./sso.js";
import { onlyPartyFor } from "../trust/client-ip.js";
import { LoginClock } from "../observability/login-timings.js";

/** A failure the person must see as a page (no party can be answered safely). */
export class PageError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly reason: string,
    message: string,
    readonly userMessage: string,
  ) {
    super(message);
    this.name = "PageError";
  }
}

export interface BeginOutcome {
  interaction: Interaction;
  /** The IdP chosen without asking (hint or cookie), to remember. */
  chosenIdp: IdentityProvider | undefined;
}

export class LoginService {
  private readonly states: LoginStateRepository;
  private readonly upstream: SamlUpstream;
  private readonly sso: SingleSignOn;

  constructor(private readonly broker: BrokerContext) {
    this.states = new LoginStateRepository(broker.store, broker.config.timing.loginTtlSeconds);
    this.upstream = new SamlUpstream(broker);
    this.sso = new SingleSignOn(broker, (request, completed, need) => this.toFurtherUpstream(request, completed, need));
  }

  /** Starts a login: straight to the IdP when the municipality is known, otherwise to the chooser. */
  async begin(request: LoginRequest, hint: string | undefined, rememberedIdpId: string | undefined, ssoSessionId?: string): Promise<BeginOutcome> {
    const log = this.broker.log.child({ correlationId: request.correlationId });
    const fromSession = await this.sso.answer(request, ssoSessionId, hint);
    if (fromSession) return { interaction: fromSession, chosenIdp: undefined };
    if (hint !== undefined) {
      const idp = this.broker.registry.identityProviderForHint(hint);
      if (!idp) {
        log.warn({ reason: "unknown_municipality", hint: hint.slice(0, 64) }, "login rejected");
        throw new PageError(400, "unknown_municipality", `no municipality matches hint ${hint.slice(0, 64)}`, "Den angivne kommune kendes ikke. / The municipality given is not known.");
      }
      return { interaction: await this.toUpstream(idp, request), chosenIdp: idp };
    }
    const remembered = rememberedIdpId ? this.broker.registry.identityProvider(rememberedIdpId) : undefined;
    if (remembered) return { interaction: await this.toUpstream(remembered, request), chosenIdp: remembered };
    // A client inside the IP ranges of exactly one IdP goes there without the chooser (not remembered: it is not a choice).
    const byAddress = onlyPartyFor(this.broker.registry.identityProviders(), request.clientAddress);
    if (byAddress) {
      log.info({ event: "login_idp_by_address", idp: byAddress.id }, "municipality selected by the client's address");
      return { interaction: await this.toUpstream(byAddress, request), chosenIdp: undefined };
    }
    const options = this.broker.registry.identityProviders().map((idp) => ({ id: idp.id, name: idp.displayName }));
    if (options.length === 0) throw new PageError(503, "no_municipalities", "no identity providers are registered", "Ingen kommuner er sat op endnu. / No municipalities are configured yet.");
    const loginId = newId("");
    const browserBinding = newId("");
    await forDownstream(request.downstream, () => this.states.savePending({ loginId, request, browserBinding }));
    log.info({ event: "login_choose_municipality" }, "asking the person to choose a municipality");
    return { interaction: { kind: "choose-municipality", loginId, browserBinding, options }, chosenIdp: undefined };
  }

  /** The person chose a municipality on the chooser page. */
  async choose(loginId: string, idpId: string, browserBinding: string | undefined): Promise<{ interaction: Interaction; idp: IdentityProvider }> {
    const pending = await this.states.peekPending(loginId);
    if (!pending) throw new PageError(400, "unknown_login", "chooser used for an unknown or expired login", "Login er udløbet. Start forfra fra systemet. / The login has expired. Please start again from the system.");
    if (!browserBinding || browserBinding !== pending.browserBinding) {
      throw new PageError(403, "chooser_binding_mismatch", "chooser form did not come from the browser that started the login", "Valget kunne ikke bekræftes. Start forfra. / The choice could not be confirmed. Please start again.");
    }
    const idp = this.broker.registry.identityProvider(idpId);
    if (!idp) throw new PageError(400, "unknown_municipality", `chooser named unknown IdP ${idpId.slice(0, 64)}`, "Den valgte kommune kendes ikke. / The chosen municipality is not known.");
    const taken = await forDownstream(pending.request.downstream, () => this.states.takePending(loginId));
    if (!taken) throw new PageError(400, "unknown_login", "login already continued", "Login er allerede i gang. / The login is already in progress.");
    return { interaction: await this.toUpstream(idp, taken.request), idp };
  }

  private async toUpstream(idp: IdentityProvider, request: LoginRequest): Promise<Interaction> {
    const started = await forDownstream(request.downstream, () => this.upstream.start(idp, request));
    this.broker.log.info(
      { correlationId: request.correlationId, event: "login_upstream", idp: idp.id, sp: request.downstream.spId, upstreamRequestId: started.upstreamRequestId },
      "sending the person to the municipal IdP",
    );
    return started.interaction;
  }

  /**
   * A pipeline step asked for a further upstream step (step-up): send the
   * person to NemLog-in, with the results so far waiting in the login state.
   */
  private async toFurtherUpstream(request: LoginRequest, completed: UpstreamResult[], need: UpstreamNeeded): Promise<Interaction> {
    const nemlogin = this.broker.registry.nemLogIn();
    if (!nemlogin) throw new LoginError("nemlogin_gone", "NemLog-in is no longer configured");
    const started = await forDownstream(request.downstream, () => startNemLogIn(this.upstream, nemlogin, request, completed, need.level));
    this.broker.log.info(
      { correlationId: request.correlationId, event: "login_step_up", upstream: need.upstream, level: need.level, detail: need.reason, sp: request.downstream.spId, upstreamRequestId: started.upstreamRequestId },
      "sending the person to NemLog-in for step-up",
    );
    return started.interaction;
  }

  /** An upstream (municipal IdP or NemLog-in) answered. Returns what to send the fagsystem (identity or a SAML error), or the next upstream step. */
  async complete(body: Record<string, unknown>, requestCorrelationId: string): Promise<{ interaction: Interaction; correlationId: string; ssoSessionId?: string }> {
    const clock = new LoginClock();
    let received;
    try {
      received = await this.upstream.receive(body, clock);
    } catch (error) {
      if (error instanceof UpstreamFailure) {
        const cause = error.cause;
        const request = error.state.request;
        if (cause instanceof StoreUnavailableError) throw new LoginUnavailable(request.downstream, cause);
        const reason = cause instanceof XmlError ? cause.reason : "internal_error";
        this.broker.log.warn({ correlationId: request.correlationId, reason, detail: cause.message, idp: error.state.upstreamId }, "upstream response rejected");
        if (!(cause instanceof XmlError)) this.broker.log.error({ correlationId: request.correlationId, err: cause }, "unexpected error in upstream response");
        const sub = cause instanceof SamlError && cause.subStatus ? cause.subStatus : STATUS.authnFailed;
        if (error.state.upstreamKind === "nemlogin") {
          // The person was sent on to MitID by the broker: tell them why the login ends here.
          return {
            interaction: withNotice(answerWithError(this.broker, request.downstream, STATUS.responder, sub, "Step-up authentication at NemLog-in failed"), {
              title: "Login kunne ikke gennemføres / The login could not be completed",
              message: "MitID-loginet hos NemLog-in blev ikke gennemført, eller svaret kunne ikke bruges. / The MitID login at NemLog-in was not completed, or its answer could not be used.",
              correlationId: request.correlationId,
            }),
            correlationId: request.correlationId,
          };
        }
        return {
          interaction: answerWithError(this.broker, request.downstream, STATUS.responder, sub, "Authentication at the municipal identity provider failed"),
          correlationId: request.correlationId,
        };
      }
      if (error instanceof XmlError) {
        this.broker.log.warn({ correlationId: requestCorrelationId, reason: error.reason, detail: error.message }, "upstream response rejected");
        const httpStatus = error.reason === "message_too_large" ? 413 : 400;
        throw new PageError(httpStatus, error.reason, error.message, "Svaret fra kommunens login kunne ikke bruges. / The answer from the municipal login could not be used.");
      }
      throw error;
    }
    const { state, result } = received;
    const request = state.request;
    const log = this.broker.log.child({ correlationId: request.correlationId });
    try {
      const outcome = await clock.time("map", () => runPipeline({ broker: this.broker, request, upstreams: [...state.completed, result], identity: undefined }));
      if (outcome.kind === "upstream-needed") {
        return { interaction: await this.toFurtherUpstream(request, outcome.context.upstreams, outcome.need), correlationId: request.correlationId };
      }
      const { context, identity } = outcome;
      const interaction = await answerWithIdentity(this.broker, request.downstream, identity, clock);
      const ssoSessionId = await clock.time("store", () => this.sso.remember(request, context.upstreams));
      const timings = clock.timings();
      log.info(
        {
          event: "login_succeeded",
          sp: request.downstream.spId,
          idp: result.upstreamId,
          cvr: identity.organisation.cvr,
          level: identity.level,
          evidence: identity.evidence.map((e) => e.assertionId),
          ms: timings,
        },
        "login succeeded",
      );
      this.broker.onLoginTimings?.(timings);
      return { interaction, correlationId: request.correlationId, ssoSessionId };
    } catch (error) {
      if (error instanceof LoginError) {
        log.warn({ event: "login_failed", reason: error.reason, detail: error.message, sp: request.downstream.spId }, "login refused by policy");
        return {
          interaction: withNotice(answerWithError(this.broker, request.downstream, error.status, error.subStatus, error.message), {
            title: "Login kunne ikke gennemføres / The login could not be completed",
            message: error.userMessage,
            correlationId: request.correlationId,
          }),
          correlationId: request.correlationId,
        };
      }
      throw error;
    }
  }
}
