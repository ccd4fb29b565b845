/**
 * An OIDC client's logout (RP-initiated, oidc-provider's end_session) is the
 * same logout as a SAML party's: when oidc-provider has ended its session and
 * is about to send the browser back to the client, the browser goes through
 * the broker's logout first (every other fagsystem, the upstream IdP, the
 * summary) and then on to where oidc-provider was sending it. The detour's
 * address carries the onward URL under a MAC with a short life, so it cannot
 * be used to send anyone anywhere else.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type express from "express";
import type { Response } from "express";
import type Provider from "oidc-provider";
import type { BrokerContext } from "../broker-context.js";
import type { WiredLogout } from "./wire-logout.js";
import type { InteractionPageOptions } from "./respond.js";
import { sendErrorPage, sendInteraction } from "./respond.js";
import { readSsoSessionId, SSO_COOKIE } from "./sso-cookie.js";
import { OIDC_FRONTEND } from "../frontends/oidc-op/oidc-reply.js";
import { LOGOUT_PATH } from "./logout-pages.js";

const DETOUR_PATH = `${LOGOUT_PATH}/oidc`;
const DETOUR_SECONDS = 120;

interface PendingOidcLogout {
  clientPartyId: string;
  clientName: string;
}

function mac(secret: string, then: string, expires: string, client: string): string {
  return createHmac("sha256", secret).update(`oidc-logout\u0000${then}\u0000${expires}\u0000${client}`).digest("base64url");
}

export function mountOidcLogout(app: express.Express, parts: { broker: BrokerContext; provider: Provider; logout: WiredLogout; pageOptions(): InteractionPageOptions; oidcPath: string }): void {
  const { broker, provider, logout } = parts;

  provider.on("end_session.success", (ctx) => {
    const clientId = ctx.oidc?.client?.clientId;
    const client = clientId === undefined ? undefined : broker.registry.oidcClientByClientId(clientId);
    const pending: PendingOidcLogout = { clientPartyId: client?.id ?? "oidc", clientName: client?.displayName ?? "OpenID Connect" };
    (ctx.res as unknown as Response).locals["oidcLogout"] = pending;
  });

  // oidc-provider's answer to the confirmed logout is a 303 to the client (or its own success page): the browser goes through the broker's logout first.
  app.post(`${parts.oidcPath}/session/end/confirm`, (_req, res, next) => {
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
    (res as unknown as { writeHead: (...args: unknown[]) => Response }).writeHead = (...args: unknown[]) => {
      const pending = res.locals["oidcLogout"] as PendingOidcLogout | undefined;
      const location = res.getHeader("Location");
      if (pending && res.statusCode === 303 && typeof location === "string") {
        const expires = String(broker.now() + DETOUR_SECONDS * 1000);
        const query = new URLSearchParams({ then: location, client: pending.clientPartyId, expires, mac: mac(broker.cookieSecret, location, expires, pending.clientPartyId) });
        res.setHeader("Location", `${broker.urls.base}${DETOUR_PATH}?${query.toString()}`);
      }
      return writeHead(...args);
    };
    next();
  });

  app.get(DETOUR_PATH, async (req, res) => {
    const correlationId = String(res.locals["correlationId"]);
    const { then, client, expires, mac: given } = req.query;
    const valid =
      typeof then === "string" && typeof client === "string" && typeof expires === "string" && typeof given === "string" &&
      Number(expires) > broker.now() &&
      safeEqual(given, mac(broker.cookieSecret, then, expires, client));
    if (!valid) {
      broker.log.warn({ correlationId, event: "logout_refused", reason: "oidc_logout_detour_invalid" }, "OIDC logout detour refused");
      sendErrorPage(res, 400, "Logout", "Denne logout-adresse er ugyldig eller udløbet. / This logout address is invalid or has expired.", correlationId);
      return;
    }
    const sessionId = readSsoSessionId(req, broker.cookieSecret);
    const session = await logout.sessions.find(sessionId);
    res.clearCookie(SSO_COOKIE, { httpOnly: true, sameSite: "lax", secure: parts.pageOptions().secureCookies, path: "/" });
    const registered = broker.registry.downstreamParty(client);
    const interaction = await logout.logouts.begin(
      session && sessionId !== undefined ? { id: sessionId, session } : undefined,
      { frontend: OIDC_FRONTEND, partyId: client, reply: { then } },
      registered?.displayName ?? client,
      correlationId,
    );
    broker.log.info({ correlationId, event: "logout_requested", party: client, frontend: "oidc", sessionFound: session !== undefined }, "OIDC logout continues through the broker's single logout");
    sendInteraction(res, interaction, parts.pageOptions());
  });
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
