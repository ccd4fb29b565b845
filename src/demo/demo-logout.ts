/**
 * Single Logout for the demo parties (the demo IdPs and fagsystemer): answer
 * the broker's LogoutRequest (verified with the broker's metadata key) with a
 * signed LogoutResponse, and read the broker's LogoutResponse to a logout the
 * party began. As an outside party would, with the broker's published metadata.
 */
import type express from "express";
import type { KeyMaterial } from "../keys/key-material.js";
import type { LogoutEndpoint } from "../saml/metadata-reader.js";
import { readIncomingMessage } from "../saml/incoming-message.js";
import { logoutMessageKind, readLogoutRequest, readLogoutResponse, type ReceivedLogoutRequest, type ReceivedLogoutResponse } from "../saml/logout-messages.js";
import { logoutRequestThroughBrowser, logoutResponseThroughBrowser, type LogoutSender } from "../saml/logout-to-party.js";
import { SIGNATURE_ALGORITHM } from "../saml/algorithms.js";
import { STATUS } from "../saml/namespaces.js";
import { DEFAULT_XML_LIMITS } from "../xml/xml-parser.js";

export interface DemoLogoutPeer {
  entityId: string;
  signingCertificates: readonly string[];
  singleLogoutServices: readonly LogoutEndpoint[];
}

export interface DemoLogoutSelf {
  entityId: string;
  signing: KeyMaterial;
}

const LIMITS = { bodyBytes: 256 * 1024, inflatedBytes: 256 * 1024, relayStateBytes: 1024 };

function sender(self: DemoLogoutSelf): LogoutSender {
  return { issuer: self.entityId, signing: { key: self.signing, algorithm: SIGNATURE_ALGORITHM.rsaSha256 }, now: Date.now(), lifetimeMs: 300_000 };
}

function peerParty(peer: DemoLogoutPeer) {
  return { ...peer, allowSha1: false };
}

function send(res: express.Response, interaction: { kind: "redirect"; url: string } | { kind: "post"; url: string; fields: Record<string, string> }): void {
  if (interaction.kind === "redirect") {
    res.redirect(303, interaction.url);
    return;
  }
  const inputs = Object.entries(interaction.fields).map(([n, v]) => `<input type="hidden" name="${n}" value="${v}">`).join("");
  res.type("html").send(`<!doctype html><form method="post" action="${interaction.url}">${inputs}<button type="submit">Fortsæt / Continue</button></form>`);
}

/** Sends the browser to the broker with a LogoutRequest for this subject; returns the request's ID. */
export function startLogout(res: express.Response, self: DemoLogoutSelf, peer: DemoLogoutPeer, subject: { nameId: string; nameIdFormat: string | undefined; sessionIndex: string | undefined }, relayState: string): string {
  const { interaction, requestId } = logoutRequestThroughBrowser(sender(self), peerParty(peer), subject, relayState);
  send(res, interaction);
  return requestId;
}

export type ReceivedLogout = { kind: "request"; request: ReceivedLogoutRequest } | { kind: "response"; response: ReceivedLogoutResponse; relayState: string | undefined };

/** Reads a logout message from the broker (verified with its key); throws on anything else. */
export function readBrokerLogout(req: express.Request, peer: DemoLogoutPeer): ReceivedLogout {
  const rawQuery = req.originalUrl.includes("?") ? req.originalUrl.slice(req.originalUrl.indexOf("?") + 1) : "";
  const message = readIncomingMessage({ method: req.method === "POST" ? "POST" : "GET", rawQuery, body: (req.body ?? {}) as Record<string, unknown> }, LIMITS, DEFAULT_XML_LIMITS);
  const verified = message.verifiedBy(peer.signingCertificates, false);
  if (logoutMessageKind(verified) === "LogoutRequest") {
    const request = readLogoutRequest(verified);
    if (request.issuer !== peer.entityId) throw new Error("LogoutRequest from an unknown party");
    return { kind: "request", request };
  }
  const response = readLogoutResponse(verified);
  if (response.issuer !== peer.entityId) throw new Error("LogoutResponse from an unknown party");
  return { kind: "response", response, relayState: message.relayState };
}

/** Answers the broker's LogoutRequest with Success. */
export function answerLogout(res: express.Response, self: DemoLogoutSelf, peer: DemoLogoutPeer, request: ReceivedLogoutRequest, relayState: string | undefined): void {
  const interaction = logoutResponseThroughBrowser(sender(self), peerParty(peer), request.id, { status: STATUS.success }, relayState);
  if (!interaction) {
    res.status(500).type("text").send("the broker's metadata has no SingleLogoutService");
    return;
  }
  send(res, interaction);
}

/**
 * A demo IdP's SingleLogoutService (/slo): the broker's LogoutRequest is
 * verified and answered with Success; `loggedOut` keeps the NameIDs logged
 * out (the page at /slo/log lists them, for people and tests). The broker's
 * LogoutResponse to a logout the IdP began (IdP-initiated) is shown.
 */
export function mountDemoIdpLogout(app: express.Express, self: DemoLogoutSelf, broker: () => DemoLogoutPeer): void {
  const loggedOut: string[] = [];
  const answers: string[] = [];
  const slo = (req: express.Request, res: express.Response) => {
    try {
      const received = readBrokerLogout(req, broker());
      if (received.kind === "response") {
        answers.push(`${received.response.status}${received.response.subStatus ? ` / ${received.response.subStatus}` : ""}`);
        res.type("text").send(`Logout answered: ${answers[answers.length - 1]}`);
        return;
      }
      loggedOut.push(received.request.nameId);
      const relayState = typeof req.query["RelayState"] === "string" ? req.query["RelayState"] : (req.body as Record<string, string> | undefined)?.["RelayState"];
      answerLogout(res, self, broker(), received.request, relayState);
    } catch (error) {
      res.status(400).type("text").send(`Demo IdP refused the logout message: ${(error as Error).message}`);
    }
  };
  app.get("/slo", slo);
  app.post("/slo", slo);
  app.get("/slo/log", (_req, res) => {
    res.json({ loggedOut, answers });
  });
}
