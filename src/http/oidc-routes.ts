/**
 * The OIDC frontend's routes: oidc-provider mounted under /oidc, and the two
 * interaction routes where an authorization meets the login core — start
 * (decode the authorization, begin the login) and finish (hand the login's
 * outcome back to oidc-provider, which answers the client). The finish
 * route is under the interaction's path, so the browser sends oidc-provider's
 * interaction cookie there.
 */
import express, { type Request, type Response } from "express";
import type Provider from "oidc-provider";
import type { BrokerContext } from "../broker-context.js";
import { receiveAuthorization } from "../frontends/oidc-op/receive-authorization.js";
import type { InteractionOutcomes } from "../frontends/oidc-op/interaction-outcome.js";
import { OIDC_PATH } from "../frontends/oidc-op/provider.js";
import { PageError } from "../model/login-error.js";
import type { LoginStarter } from "./begin-login.js";
import type { WiredLogout } from "./wire-logout.js";
import type { InteractionPageOptions } from "./respond.js";
import { mountOidcLogout } from "./oidc-logout-routes.js";

const EXPIRED = "Login er udløbet eller allerede afsluttet. Start forfra fra systemet. / The login has expired or has already finished. Please start again from the system.";

export interface OidcRouteParts {
  broker: BrokerContext;
  provider: Provider;
  outcomes: InteractionOutcomes;
  starter: LoginStarter;
  form: express.RequestHandler;
  requireForm: express.RequestHandler;
  logout: WiredLogout;
  pageOptions(): InteractionPageOptions;
  /** Where the broker's pages may send forms: itself and the registered clients. */
  formOrigins(): readonly string[];
}

function correlationIdOf(res: Response): string {
  return String(res.locals["correlationId"]);
}

async function interactionOf(provider: Provider, req: Request, res: Response) {
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== req.params["uid"]) throw new PageError(400, "oidc_interaction_mismatch", "interaction cookie names another interaction", EXPIRED);
    return details;
  } catch (error) {
    if (error instanceof PageError) throw error;
    throw new PageError(400, "oidc_interaction_unknown", `no interaction for this browser: ${(error as Error).message}`.slice(0, 300), EXPIRED);
  }
}

export function mountOidc(app: express.Express, parts: OidcRouteParts): void {
  const { broker, provider, outcomes, starter } = parts;
  provider.proxy = false;

  app.use(OIDC_PATH, (_req, res, next) => {
    res.setHeader(
      "Content-Security-Policy",
      `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self' ${parts.formOrigins().join(" ")}; frame-ancestors 'none'; base-uri 'none'`,
    );
    next();
  });

  app.get(`${OIDC_PATH}/interaction/:uid`, async (req, res) => {
    const correlationId = correlationIdOf(res);
    const details = await interactionOf(provider, req, res);
    const received = receiveAuthorization(broker, { uid: details.uid, params: details.params, prompt: details.prompt }, correlationId);
    if (!received.ok) {
      broker.log.warn({ correlationId, event: "oidc_refused", reason: received.error, detail: received.description, client: details.params["client_id"] }, "OIDC authorization refused");
      await provider.interactionFinished(req, res, { error: received.error, error_description: received.description }, { mergeWithLastSubmission: false });
      return;
    }
    broker.log.info({ correlationId, event: "login_started", sp: received.request.downstream.partyId, requiredLevel: received.request.requiredLevel, frontend: "oidc" }, "OIDC authorization accepted");
    await starter.begin(req, res, received.request);
  });

  /** The login finished: a success waits in the store; a refusal comes in the form, under its MAC. */
  app.post(`${OIDC_PATH}/interaction/:uid/finish`, parts.requireForm, parts.form, async (req, res) => {
    const details = await interactionOf(provider, req, res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body["error"] !== undefined) {
      const refusal = outcomes.readErrorFields(details.uid, body);
      if (!refusal) throw new PageError(400, "oidc_refusal_forged", "the refusal form's MAC does not hold", EXPIRED);
      await provider.interactionFinished(req, res, { ...refusal }, { mergeWithLastSubmission: false });
      return;
    }
    const outcome = await outcomes.takeSuccess(details.uid);
    if (!outcome) throw new PageError(400, "oidc_outcome_missing", "finish called for an interaction with no completed login", EXPIRED);
    const clientId = String(details.params["client_id"]);
    const grant = new provider.Grant({ accountId: outcome.accountId, clientId });
    const scope = String(details.params["scope"] ?? "openid");
    grant.addOIDCScope(scope);
    // An API's access token (resource indicator): the provider has already checked the API is registered for this client.
    const resource = details.params["resource"];
    for (const indicator of Array.isArray(resource) ? resource : resource === undefined ? [] : [resource]) grant.addResourceScope(String(indicator), scope);
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: outcome.accountId, acr: outcome.acr, ts: outcome.authTime, remember: false }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  });

  // Logging out at the OpenID Provider is a single logout through the broker (oidc-logout-routes.ts).
  mountOidcLogout(app, { broker, provider, logout: parts.logout, pageOptions: parts.pageOptions, oidcPath: OIDC_PATH });

  app.use(OIDC_PATH, provider.callback());
}
