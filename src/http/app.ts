/** The Express application: routes, limits, security headers, and one error path that never leaks a stack trace. */
import { metricsHandler } from "./metrics-endpoint.js";
import express, { type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import type { BrokerContext } from "../broker-context.js";
import type { LoginService } from "../login/login-service.js";
import { PageError } from "../model/login-error.js";
import { wireLogin } from "./wire-login.js";
import { receiveAuthnRequest, RequestRejected, AnswerableRejection } from "../frontends/saml-idp/receive-authn-request.js";
import { answerWithError } from "../frontends/saml-idp/answer-sp.js";
import { brokerIdpMetadata, brokerSpMetadata } from "../saml/metadata-writer.js";
import { OIOSAML3_REQUESTED_ATTRIBUTES } from "../profiles/oiosaml3-attributes.js";
import { STATUS } from "../saml/namespaces.js";
import { StoreUnavailableError } from "../store/state-store.js";
import { chooserFormOrigins, oidcClientOrigins } from "./chooser-origins.js";
import { mountOidc } from "./oidc-routes.js";
import { createOidcProvider } from "../frontends/oidc-op/provider.js";
import { loginStarter } from "./begin-login.js";
import { presentedBindings, releaseBindingCookie } from "./binding-cookie.js";
import { LOGIN_BINDING_COOKIE, environmentOf, sendErrorPage, sendInteraction } from "./respond.js";
import { sendStoreUnavailable } from "./store-unavailable.js";
import { checkReadiness } from "./readiness.js";
import { Draining } from "./draining.js";
import { setSsoCookie } from "./sso-cookie.js";
import { readCookies } from "./cookies.js";
import { STYLESHEET, chooserPage, layout } from "./pages.js";
import { filterIdps, MAX_QUERY_CHARS } from "./idp-filter.js";
import { html } from "./html.js";
import { wireLogout } from "./wire-logout.js";
import { mountSlo } from "./slo-routes.js";
import { mountSloSoap } from "./slo-soap-route.js";
import { mountOidcUpstreamLogoutReturn } from "./oidc-rp-logout-route.js";
import { logoutFrameOrigins, upstreamLogoutOrigins } from "./chooser-origins.js";
import { watchAuthorizations } from "../frontends/oidc-op/oidc-logout.js";
import { verifyCookieValue } from "./cookies.js";
import { SSO_COOKIE } from "./sso-cookie.js";
import { mountSelfCheck } from "./selfcheck-routes.js";
import { divertSelfChecks, SelfCheckAnswer } from "../selfcheck/self-check-service.js";

const STATIC_DIR = join(dirname(fileURLToPath(import.meta.url)), "static");

const GENERIC_FAILURE = "Der opstod en fejl. Prøv igen, eller kontakt support. / Something went wrong. Try again or contact support.";

function correlationIdOf(res: Response): string {
  return String(res.locals["correlationId"]);
}

export interface BrokerApp {
  app: express.Express;
  logins: LoginService;
}

/** `draining`: set by the server when it stops (readiness 503, connections closed after their response). */
export function createApp(broker: BrokerContext, draining: Draining = new Draining()): BrokerApp {
  const app = express();
  const { logins, ports, samlUpstream, oidcUpstream, oidc } = wireLogin(broker);
  const secureCookies = broker.config.secureCookies === "always" || (broker.config.secureCookies === "auto" && broker.urls.base.startsWith("https://"));
  const pageOptions = () => ({
    chooseUrl: broker.urls.chooser,
    secureCookies,
    chooserFormOrigins: chooserFormOrigins(broker.registry),
    selfOrigin: new URL(broker.urls.base).origin,
    selfFormOrigins: oidcClientOrigins(broker.registry),
    logoutFrameOrigins: logoutFrameOrigins(broker.registry),
    bindingMaxAgeSeconds: broker.config.timing.loginTtlSeconds,
  });
  const starter = loginStarter(broker, logins, pageOptions);
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  app.use(helmet({ contentSecurityPolicy: { directives: { "form-action": ["'self'"], "script-src": ["'self'"] } } }));
  app.use((req, res, next) => {
    res.locals["correlationId"] = randomUUID();
    res.locals["environment"] = broker.config.environment;
    res.setHeader("X-Correlation-Id", correlationIdOf(res));
    if (draining.active) res.setHeader("Connection", "close");
    next();
  });
  const form = express.urlencoded({ extended: false, limit: broker.config.limits.bodyBytes, parameterLimit: 20 });
  const requireForm = (req: Request, res: Response, next: NextFunction) => {
    if (!req.is("application/x-www-form-urlencoded")) {
      broker.log.warn({ correlationId: correlationIdOf(res), reason: "wrong_content_type", contentType: req.headers["content-type"] ?? null }, "request rejected");
      sendErrorPage(res, 415, "Forkert forespørgsel / Bad request", "Forespørgslen havde en forkert indholdstype. / The request had the wrong content type.", correlationIdOf(res));
      return;
    }
    next();
  };

  app.get("/static/autosubmit.js", (_req, res) => {
    res.type("application/javascript").sendFile(join(STATIC_DIR, "autosubmit.js"));
  });
  app.get("/static/logout.js", (_req, res) => {
    res.type("application/javascript").sendFile(join(STATIC_DIR, "logout.js"));
  });
  app.get("/static/filter.js", (_req, res) => {
    res.type("application/javascript").sendFile(join(STATIC_DIR, "filter.js"));
  });
  app.get("/static/broker.css", (_req, res) => {
    res.type("text/css").send(STYLESHEET);
  });

  const metadataInput = () => ({
    entityId: broker.config.entityId,
    signing: broker.keys.signing,
    encryption: broker.keys.encryption,
    publishedSigning: broker.keys.publishedSigning,
    publishedEncryption: broker.keys.publishedEncryption,
    signatureAlgorithm: broker.signatureAlgorithm,
  });
  const metadataCache = new Map<string, { xml: string; at: number }>();
  const metadata = (kind: "sp" | "idp") => {
    // Kept an hour, and made again as soon as signing moves to another key (a rollover).
    const signingKey = broker.keys.signing.certificateBase64.slice(-32);
    const cacheKey = `${kind}:${signingKey}`;
    const cached = metadataCache.get(cacheKey);
    if (cached && broker.now() - cached.at < 3_600_000) return cached.xml;
    const xml = kind === "sp" ? brokerSpMetadata(metadataInput(), broker.urls.acs, OIOSAML3_REQUESTED_ATTRIBUTES, broker.urls) : brokerIdpMetadata(metadataInput(), broker.urls.sso, broker.urls);
    for (const stale of [...metadataCache.keys()].filter((key) => !key.endsWith(signingKey))) metadataCache.delete(stale);
    metadataCache.set(cacheKey, { xml, at: broker.now() });
    return xml;
  };
  app.get("/saml/metadata/sp", (_req, res) => {
    res.type("application/samlmetadata+xml").send(metadata("sp"));
  });
  app.get("/saml/metadata/idp", (_req, res) => {
    res.type("application/samlmetadata+xml").send(metadata("idp"));
  });

  const sso = async (req: Request, res: Response) => {
    const correlationId = correlationIdOf(res);
    const rawQuery = req.originalUrl.includes("?") ? req.originalUrl.slice(req.originalUrl.indexOf("?") + 1) : "";
    const hintParam = req.query["municipality"];
    const hint = typeof hintParam === "string" && hintParam !== "" ? hintParam : undefined;
    try {
      const request = await receiveAuthnRequest(broker, { method: req.method === "POST" ? "POST" : "GET", rawQuery, body: (req.body ?? {}) as Record<string, unknown> }, correlationId);
      broker.log.info({ correlationId, event: "login_started", sp: request.downstream.partyId, requestId: request.downstream.reply["requestId"], requiredLevel: request.requiredLevel }, "AuthnRequest accepted");
      await starter.begin(req, res, { ...request, municipalityHint: hint });
    } catch (error) {
      if (error instanceof RequestRejected) {
        broker.log.warn({ correlationId, reason: error.error.reason, detail: error.error.message }, "AuthnRequest rejected");
        const status = error.error.reason === "message_too_large" ? 413 : 400;
        sendErrorPage(res, status, "Login kunne ikke starte / The login could not start", `Systemet sendte en login-forespørgsel, som ikke kunne godkendes (${error.error.reason}). / The system sent a login request that could not be accepted (${error.error.reason}).`, correlationId);
        return;
      }
      if (error instanceof AnswerableRejection) {
        broker.log.warn({ correlationId, reason: error.error.reason, detail: error.error.message, sp: error.downstream.spId }, "AuthnRequest rejected, answering the fagsystem");
        sendInteraction(res, answerWithError(broker, error.downstream, error.error.status, error.error.subStatus, error.error.message), pageOptions());
        return;
      }
      throw error;
    }
  };

  app.get("/saml/sso", sso);
  app.post("/saml/sso", requireForm, form, sso);

  // The chooser's search without JavaScript: the same list, filtered by name or CVR (the choice itself is still checked on POST).
  app.get("/login/choose", (req, res) => {
    const loginId = typeof req.query["login"] === "string" ? req.query["login"].slice(0, 64) : "";
    const q = typeof req.query["q"] === "string" ? req.query["q"].slice(0, MAX_QUERY_CHARS) : "";
    const options = broker.registry.identityProviders().map((idp) => ({ id: idp.id, name: idp.displayName, cvr: idp.cvr }));
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Content-Security-Policy", `default-src 'none'; script-src 'self'; style-src 'self'; form-action 'self' ${pageOptions().chooserFormOrigins.join(" ")}; frame-ancestors 'none'; base-uri 'none'`);
    res.type("html").send(chooserPage(loginId, filterIdps(options, q), broker.urls.chooser, environmentOf(res), q));
  });
  app.post("/login/choose", requireForm, form, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const loginId = typeof body["login"] === "string" ? body["login"] : "";
    const idpId = typeof body["idp"] === "string" ? body["idp"] : "";
    const binding = readCookies(req.headers.cookie).get(LOGIN_BINDING_COOKIE);
    const { interaction, idp } = await logins.choose(loginId, idpId, binding);
    starter.rememberMunicipality(res, idp.id);
    sendInteraction(res, interaction, pageOptions());
  });

  /** An upstream answered: the core resumes the login it belongs to; the browser gets the next step (and the SSO cookie). */
  const selfCheck = mountSelfCheck(app, { broker, ports, form, requireForm, pageOptions });
  const resumeLogin = async (req: Request, res: Response, answerUrl: string, receive: Parameters<LoginService["complete"]>[0]) => {
    let completed: Awaited<ReturnType<LoginService["complete"]>>;
    try {
      // A self-check's answer ends in its report, never in the login core.
      completed = await logins.complete(divertSelfChecks(receive), presentedBindings(req));
    } catch (error) {
      if (error instanceof SelfCheckAnswer) return selfCheck.finish(req, res, error, answerUrl);
      throw error;
    }
    const { interaction, correlationId, ssoSessionId, releasedBinding } = completed;
    if (releasedBinding) releaseBindingCookie(res, releasedBinding, answerUrl, secureCookies);
    if (ssoSessionId) setSsoCookie(res, ssoSessionId, broker.cookieSecret, secureCookies);
    res.locals["correlationId"] = correlationId;
    res.setHeader("X-Correlation-Id", correlationId);
    sendInteraction(res, interaction, pageOptions());
  };
  app.post("/saml/acs", requireForm, form, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    await resumeLogin(req, res, broker.urls.acs, (timer) => samlUpstream.receive(body, timer));
  });
  // A municipal OIDC IdP's answer: form_post (POST) or query (GET).
  const oidcCallback = async (req: Request, res: Response) => {
    const raw = req.method === "POST" ? ((req.body ?? {}) as Record<string, unknown>) : (req.query as Record<string, unknown>);
    const params = Object.fromEntries(Object.entries(raw).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
    await resumeLogin(req, res, oidcUpstream.callbackUrl, (timer) => oidcUpstream.receive(params, timer));
  };
  app.get("/oidc-rp/callback", oidcCallback);
  app.post("/oidc-rp/callback", requireForm, form, oidcCallback);

  app.get("/saml/acs", (_req, res) => {
    sendErrorPage(res, 405, "Forkert forespørgsel / Bad request", "Denne adresse modtager kun SAML-svar med HTTP-POST. / This address only accepts SAML responses by HTTP-POST.", correlationIdOf(res));
  });

  if (broker.config.metrics.enabled) app.get("/metrics", metricsHandler(broker.config.metrics));

  app.get("/health/live", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/health/ready", async (_req, res) => {
    const report = await checkReadiness(broker, draining.active);
    res.setHeader("Cache-Control", "no-store");
    res.status(report.ready ? 200 : 503).json(report);
  });

  const provider = createOidcProvider(broker, oidc.accounts);
  const logout = wireLogout(broker, provider, oidc.accounts, oidcUpstream.discovery);
  // An OIDC client joins the browser's SSO session once oidc-provider has authorized it.
  watchAuthorizations(provider, broker, async (ctx, participant) => {
    const sessionId = verifyCookieValue(readCookies(ctx.get("cookie")).get(SSO_COOKIE), broker.cookieSecret, SSO_COOKIE);
    if (sessionId !== undefined) await logout.sessions.addParticipant(sessionId, participant);
  });
  mountSlo(app, { broker, logout, form, requireForm, pageOptions });
  mountSloSoap(app, broker, logout);
  mountOidcUpstreamLogoutReturn(app, broker, logout, pageOptions);

  mountOidc(app, { broker, provider, outcomes: oidc.outcomes, starter, form, requireForm, logout, pageOptions, formOrigins: () => [...oidcClientOrigins(broker.registry), ...upstreamLogoutOrigins(broker.registry)] });

  app.get("/", (_req, res) => {
    res.type("html").send(
      layout(
        "Context broker",
        html`<h1>Context broker</h1><p>SAML metadata: <a href="/saml/metadata/sp">as SP (for municipal IdPs)</a>, <a href="/saml/metadata/idp">as IdP (for fagsystemer)</a>.</p>`,
        environmentOf(res),
      ),
    );
  });

  app.use((req, res) => {
    sendErrorPage(res, 404, "Siden findes ikke / Not found", "Adressen findes ikke. / This address does not exist.", correlationIdOf(res));
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const correlationId = correlationIdOf(res);
    if (error instanceof PageError) {
      broker.log.warn({ correlationId, reason: error.reason, detail: error.message, path: req.path }, "request refused");
      sendErrorPage(res, error.httpStatus, "Login kunne ikke gennemføres / The login could not be completed", error.userMessage, correlationId);
      return;
    }
    if (error instanceof StoreUnavailableError) {
      broker.log.error({ correlationId, reason: "store_unavailable", detail: error.message, path: req.path }, "state store unavailable");
      sendStoreUnavailable(res, ports, error, correlationId);
      return;
    }
    const httpError = error as { status?: number; type?: string };
    if (typeof httpError.status === "number" && httpError.status >= 400 && httpError.status < 500) {
      broker.log.warn({ correlationId, reason: httpError.type ?? "bad_request", status: httpError.status, path: req.path }, "request rejected");
      sendErrorPage(res, httpError.status, "Forkert forespørgsel / Bad request", "Forespørgslen kunne ikke læses. / The request could not be read.", correlationId);
      return;
    }
    broker.log.error({ correlationId, err: error, path: req.path }, "unexpected error");
    sendErrorPage(res, 500, "Fejl / Error", GENERIC_FAILURE, correlationId);
  });

  return { app, logins };
}

export { STATUS };
