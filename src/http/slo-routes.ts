/**
 * The Single Logout routes. /saml/slo receives every SAML logout message
 * through the browser (HTTP-Redirect or HTTP-POST): a LogoutRequest from a
 * fagsystem or an upstream IdP begins a logout; a LogoutResponse answers one
 * the broker sent. /logout/* are the logout page's own steps (frames, status,
 * continue), whatever protocol began the logout.
 */
import type express from "express";
import type { Request, Response } from "express";
import type { BrokerContext } from "../broker-context.js";
import type { WiredLogout } from "./wire-logout.js";
import type { ExpectedAnswer } from "../login/logout/logout-service.js";
import { LogoutRefused, LogoutRejected, type AcceptedLogout } from "../login/logout/logout-errors.js";
import { readIncomingMessage, type IncomingMessage } from "../saml/incoming-message.js";
import { logoutMessageKind, loggedOut, readLogoutResponse } from "../saml/logout-messages.js";
import { checkLogoutResponse } from "../saml/logout-checks.js";
import type { LogoutParty } from "../saml/logout-to-party.js";
import { SamlError, asSamlError } from "../saml/saml-error.js";
import { XmlError } from "../xml/xml-error.js";
import { receiveSpLogoutRequest, logoutCheckContext } from "../frontends/saml-idp/receive-logout-request.js";
import { participantSp, spAsLogoutParty, logoutSender } from "../frontends/saml-idp/saml-logout.js";
import { receiveUpstreamLogoutRequest } from "../backends/saml-sp/receive-upstream-logout.js";
import { participantUpstream, samlUpstreamByEntityId } from "../backends/saml-sp/saml-upstream-logout.js";
import { readSsoSessionId, SSO_COOKIE } from "./sso-cookie.js";
import { environmentOf, sendErrorPage, sendInteraction, type InteractionPageOptions } from "./respond.js";
import { LOGOUT_PATH, logoutFrameDonePage, logoutRefusedPage } from "./logout-pages.js";
import type { Interaction } from "../model/interaction.js";

const NOT_ACCEPTED = "Logout-beskeden kunne ikke godkendes. Du er ikke logget ud. Luk browseren, hvis computeren deles med andre. / The logout message could not be accepted. You have not been logged out. Close the browser if others use this computer.";

export interface SloRouteParts {
  broker: BrokerContext;
  logout: WiredLogout;
  form: express.RequestHandler;
  requireForm: express.RequestHandler;
  pageOptions(): InteractionPageOptions;
}

function correlationIdOf(res: Response): string {
  return String(res.locals["correlationId"]);
}

export function mountSlo(app: express.Express, parts: SloRouteParts): void {
  const { broker, logout, pageOptions } = parts;
  const { logouts, sessions } = logout;
  const secure = () => pageOptions().secureCookies;

  const refusePage = (res: Response, reason: string, detail: string) => {
    broker.log.warn({ correlationId: correlationIdOf(res), event: "logout_refused", reason, detail }, "logout message refused");
    sendErrorPage(res, 400, "Logout mislykkedes / Logout failed", `${NOT_ACCEPTED} (${reason})`, correlationIdOf(res));
  };

  const beginLogout = async (res: Response, accepted: AcceptedLogout) => {
    // This browser's SSO session ends with the logout, whichever session the message named.
    res.clearCookie(SSO_COOKIE, { httpOnly: true, sameSite: "lax", secure: secure(), path: "/" });
    sendInteraction(res, await logouts.begin(accepted.found, accepted.initiator, accepted.initiatorName, correlationIdOf(res)), pageOptions());
  };

  const receiveRequest = async (req: Request, res: Response, message: IncomingMessage) => {
    const issuer = message.claimedIssuer ?? "";
    const sp = broker.registry.serviceProviderByEntityId(issuer);
    const upstream = sp ? undefined : samlUpstreamByEntityId(broker, issuer);
    if (!sp && !upstream) return refusePage(res, "unknown_party", `no fagsystem or IdP is registered with entityID ${issuer.slice(0, 200)}`);
    try {
      const accepted = sp
        ? await receiveSpLogoutRequest(broker, sp, message, sessions, readSsoSessionId(req, broker.cookieSecret))
        : await receiveUpstreamLogoutRequest(broker, upstream!, message, sessions, logoutSender(broker), logoutCheckContext(broker, message.binding));
      broker.log.info(
        { correlationId: correlationIdOf(res), event: "logout_requested", party: accepted.initiator.partyId, sessionFound: accepted.found !== undefined, asynchronous: accepted.initiator.reply["asynchronous"] === "true" },
        "LogoutRequest accepted",
      );
      await beginLogout(res, accepted);
    } catch (error) {
      if (error instanceof LogoutRejected) return refusePage(res, error.reason, error.message);
      if (!(error instanceof LogoutRefused)) throw error;
      broker.log.warn({ correlationId: correlationIdOf(res), event: "logout_refused", reason: error.reason, detail: error.message, party: sp?.id ?? upstream?.id }, "LogoutRequest refused; nobody's session ended");
      const answer = error.answer;
      if (!answer || (answer.kind !== "redirect" && answer.kind !== "post")) return refusePage(res, error.reason, error.message);
      res.setHeader("Cache-Control", "no-store");
      res.setHeader("Content-Security-Policy", `default-src 'none'; style-src 'self'; form-action ${new URL(answer.url).origin}; frame-ancestors 'none'; base-uri 'none'`);
      res.status(400).type("html").send(logoutRefusedPage(`${NOT_ACCEPTED} (${error.reason})`, correlationIdOf(res), answer.kind === "redirect" ? answer : { kind: "post", url: answer.url, fields: answer.fields }, environmentOf(res)));
    }
  };

  /** The keys and rules that verify a participant's LogoutResponse: the party the request went to. */
  const partyOf = (expected: ExpectedAnswer): LogoutParty | undefined => {
    const sp = participantSp(broker, expected.participant);
    if (sp) return spAsLogoutParty(sp);
    return participantUpstream(broker, expected.participant);
  };

  const receiveResponse = async (res: Response, message: IncomingMessage) => {
    const inResponseTo = message.unverified.getAttribute("InResponseTo") ?? "";
    const expected = inResponseTo === "" ? undefined : await logouts.expectedAnswer(inResponseTo);
    if (!expected) return refusePage(res, "unknown_logout_answer", "no logout is waiting for this LogoutResponse (expired, answered, or never sent)");
    const party = partyOf(expected);
    let ok = false;
    let detail: string;
    try {
      if (!party) throw new SamlError("party_gone", `${expected.participant.partyId} is no longer registered`);
      const response = readLogoutResponse(message.verifiedBy(party.signingCertificates, party.allowSha1));
      checkLogoutResponse(response, party.entityId, true, logoutCheckContext(broker, message.binding));
      if (response.inResponseTo !== inResponseTo) throw new SamlError("in_response_to_mismatch", "the signed InResponseTo differs");
      ok = loggedOut(response);
      detail = ok ? "confirmed" : `answered ${response.status}${response.subStatus ? ` / ${response.subStatus}` : ""}`;
    } catch (error) {
      if (!(error instanceof SamlError) && !(error instanceof XmlError)) throw error;
      const failure = error instanceof XmlError ? asSamlError(error) : error;
      detail = `the answer was refused: ${failure.reason}: ${failure.message}`;
      broker.log.warn({ correlationId: correlationIdOf(res), event: "logout_refused", reason: failure.reason, detail: failure.message, party: expected.participant.partyId }, "LogoutResponse refused");
    }
    const next = await logouts.recordAnswer(expected, ok, detail);
    if (next) return sendInteraction(res, next, pageOptions());
    res.setHeader("Cache-Control", "no-store");
    res.type("html").send(logoutFrameDonePage());
  };

  const slo = async (req: Request, res: Response) => {
    const rawQuery = req.originalUrl.includes("?") ? req.originalUrl.slice(req.originalUrl.indexOf("?") + 1) : "";
    let message: IncomingMessage;
    try {
      message = readIncomingMessage({ method: req.method === "POST" ? "POST" : "GET", rawQuery, body: (req.body ?? {}) as Record<string, unknown> }, broker.config.limits, broker.xmlLimits);
    } catch (error) {
      if (error instanceof SamlError) return refusePage(res, error.reason, error.message);
      if (error instanceof XmlError) return refusePage(res, error.reason, error.message);
      throw error;
    }
    const kind = logoutMessageKind(message.unverified);
    if (message.kind === "SAMLRequest" && kind === "LogoutRequest") return receiveRequest(req, res, message);
    if (message.kind === "SAMLResponse" && kind === "LogoutResponse") return receiveResponse(res, message);
    return refusePage(res, "not_logout_message", `expected a LogoutRequest or LogoutResponse, got ${message.unverified.localName}`);
  };
  app.get("/saml/slo", slo);
  app.post("/saml/slo", parts.requireForm, parts.form, slo);

  const runParam = (req: Request) => String(req.params["run"] ?? "");
  app.get(`${LOGOUT_PATH}/frame/:run/:step`, async (req, res) => {
    const interaction = await logouts.frame(runParam(req), Number(req.params["step"]));
    if (!interaction) return sendErrorPage(res, 404, "Logout", "Denne logout findes ikke længere. / This logout no longer exists.", correlationIdOf(res));
    sendInteraction(res, interaction, { ...pageOptions(), framed: true });
  });
  app.get(`${LOGOUT_PATH}/status/:run`, async (req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.json({ done: await logouts.framesDone(runParam(req)) });
  });
  app.get(`${LOGOUT_PATH}/continue/:run`, async (req, res) => {
    const interaction: Interaction | undefined = await logouts.afterFrames(runParam(req));
    if (!interaction) return sendErrorPage(res, 404, "Logout", "Denne logout findes ikke længere. / This logout no longer exists.", correlationIdOf(res));
    sendInteraction(res, interaction, pageOptions());
  });
}
