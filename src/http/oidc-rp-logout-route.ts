/**
 * Where a municipal OpenID Connect IdP (Entra ID) sends the browser back after
 * its end_session: the `state` names the logout step the broker sent it for
 * (taken once); the logout goes on. The return carries no signed answer: it
 * says only that the browser went through the IdP's logout and came back.
 */
import type express from "express";
import type { BrokerContext } from "../broker-context.js";
import type { WiredLogout } from "./wire-logout.js";
import { sendErrorPage, sendInteraction, type InteractionPageOptions } from "./respond.js";
import { OIDC_POST_LOGOUT_PATH, participantOidcIdp } from "../backends/oidc-rp/oidc-upstream-logout.js";

export function mountOidcUpstreamLogoutReturn(app: express.Express, broker: BrokerContext, logout: WiredLogout, pageOptions: () => InteractionPageOptions): void {
  app.get(OIDC_POST_LOGOUT_PATH, async (req, res) => {
    const correlationId = String(res.locals["correlationId"]);
    const state = typeof req.query["state"] === "string" ? req.query["state"] : "";
    const expected = state === "" ? undefined : await logout.logouts.expectedAnswer(state);
    if (!expected || !participantOidcIdp(broker, expected.participant)) {
      broker.log.warn({ correlationId, event: "logout_refused", reason: "unknown_logout_answer", detail: "no logout is waiting for this return from an OpenID Connect IdP" }, "logout return refused");
      sendErrorPage(res, 400, "Logout", "Ingen logout venter på dette svar. / No logout is waiting for this answer.", correlationId);
      return;
    }
    const next = await logout.logouts.recordAnswer(expected, true, "the browser came back from the IdP's end_session");
    if (next) sendInteraction(res, next, pageOptions());
    else sendErrorPage(res, 400, "Logout", "Ingen logout venter på dette svar. / No logout is waiting for this answer.", correlationId);
  });
}
