/**
 * /saml/slo/soap: a LogoutRequest on the SOAP back channel (a fagsystem's or
 * an IdP's server, no browser). It is checked as through the browser (a
 * Destination is optional here), ends the session its SessionIndex names,
 * tells the parties reachable on the back channel, and is answered with a
 * signed LogoutResponse in the SOAP answer: Success, PartialLogout when a
 * party could not be told, or a refusal. A message that cannot be trusted
 * gets a SOAP fault.
 */
import express, { type Request, type Response } from "express";
import type { BrokerContext } from "../broker-context.js";
import type { WiredLogout } from "./wire-logout.js";
import { LogoutRefused, LogoutRejected } from "../login/logout/logout-errors.js";
import { readSoapMessage, type IncomingMessage } from "../saml/incoming-message.js";
import { logoutMessageKind, PARTIAL_LOGOUT, SOAP_ENVELOPE_NS } from "../saml/logout-messages.js";
import { logoutResponseOverSoap } from "../saml/logout-to-party.js";
import { SamlError, asSamlError } from "../saml/saml-error.js";
import { STATUS } from "../saml/namespaces.js";
import { XmlError } from "../xml/xml-error.js";
import { receiveSpLogoutRequest, logoutCheckContext } from "../frontends/saml-idp/receive-logout-request.js";
import { logoutSender } from "../frontends/saml-idp/saml-logout.js";
import { receiveUpstreamLogoutRequest } from "../backends/saml-sp/receive-upstream-logout.js";
import { samlUpstreamByEntityId } from "../backends/saml-sp/saml-upstream-logout.js";

function fault(res: Response, reason: string): void {
  res
    .status(500)
    .type("text/xml")
    .send(`<?xml version="1.0" encoding="UTF-8"?><soap11:Envelope xmlns:soap11="${SOAP_ENVELOPE_NS}"><soap11:Body><soap11:Fault><faultcode>soap11:Client</faultcode><faultstring>${reason}</faultstring></soap11:Fault></soap11:Body></soap11:Envelope>`);
}

export function mountSloSoap(app: express.Express, broker: BrokerContext, logout: WiredLogout): void {
  const body = express.text({ type: ["text/xml", "application/soap+xml"], limit: broker.config.limits.bodyBytes });
  app.post("/saml/slo/soap", body, async (req: Request, res: Response) => {
    const correlationId = String(res.locals["correlationId"]);
    const refuse = (reason: string, detail: string) => {
      broker.log.warn({ correlationId, event: "logout_refused", reason, detail, binding: "soap" }, "SOAP LogoutRequest refused");
      fault(res, reason);
    };
    let message: IncomingMessage;
    try {
      if (typeof req.body !== "string" || req.body === "") throw new SamlError("binding_invalid", "expected a SOAP envelope (text/xml)");
      message = readSoapMessage(req.body, broker.xmlLimits);
      if (logoutMessageKind(message.unverified) !== "LogoutRequest") throw new SamlError("not_logout_request", "the SOAP Body holds no LogoutRequest");
    } catch (error) {
      if (error instanceof SamlError) return refuse(error.reason, error.message);
      if (error instanceof XmlError) return refuse(asSamlError(error).reason, error.message);
      throw error;
    }
    const issuer = message.claimedIssuer ?? "";
    const sp = broker.registry.serviceProviderByEntityId(issuer);
    const upstream = sp ? undefined : samlUpstreamByEntityId(broker, issuer);
    if (!sp && !upstream) return refuse("unknown_party", `no fagsystem or IdP is registered with entityID ${issuer.slice(0, 200)}`);
    const sender = logoutSender(broker);
    try {
      const accepted = sp
        ? await receiveSpLogoutRequest(broker, sp, message, logout.sessions, undefined)
        : await receiveUpstreamLogoutRequest(broker, upstream!, message, logout.sessions, sender, logoutCheckContext(broker, "soap"));
      const complete = await logout.logouts.beginBehind(accepted.found, accepted.initiator, accepted.initiatorName, correlationId);
      const requestId = accepted.initiator.reply["requestId"] ?? "";
      const status = complete ? { status: STATUS.success } : { status: STATUS.success, subStatus: PARTIAL_LOGOUT, message: "some parties can be reached only through the browser" };
      res.type("text/xml").send(logoutResponseOverSoap(sender, requestId, status));
    } catch (error) {
      if (error instanceof LogoutRejected) return refuse(error.reason, error.message);
      if (!(error instanceof LogoutRefused)) throw error;
      broker.log.warn({ correlationId, event: "logout_refused", reason: error.reason, detail: error.message, binding: "soap" }, "SOAP LogoutRequest refused; nobody's session ended");
      res.type("text/xml").send(logoutResponseOverSoap(sender, error.inResponseTo, { status: STATUS.requester, subStatus: STATUS.requestDenied, message: error.message }));
    }
  });
}
