/**
 * The demo fagsystem's side of Single Logout: it remembers who is logged in
 * (a cookie naming the NameID and SessionIndex the broker sent), its "Log ud"
 * button sends a signed LogoutRequest to the broker, and its /slo answers the
 * broker's LogoutRequest (another party began the logout) and reads the
 * broker's LogoutResponse (this one did).
 */
import type express from "express";
import { randomBytes } from "node:crypto";
import type { IdpMetadata } from "../saml/metadata-reader.js";
import { layout } from "../http/pages.js";
import { html } from "../http/html.js";
import { readCookies } from "../http/cookies.js";
import { PARTIAL_LOGOUT } from "../saml/logout-messages.js";
import { STATUS } from "../saml/namespaces.js";
import { answerLogout, readBrokerLogout, startLogout, type DemoLogoutSelf } from "./demo-logout.js";

const COOKIE = "demo_sp_session";

export interface DemoSpSession {
  nameId: string;
  nameIdFormat: string | undefined;
  sessionIndex: string | undefined;
}

export class DemoSpSessions {
  private readonly byId = new Map<string, DemoSpSession>();

  /** Starts a session for the browser (cookie) after a login. */
  start(res: express.Response, session: DemoSpSession): void {
    const id = randomBytes(16).toString("hex");
    this.byId.set(id, session);
    res.cookie(COOKIE, id, { httpOnly: true, sameSite: "lax", path: "/" });
  }

  of(req: express.Request): { id: string; session: DemoSpSession } | undefined {
    const id = readCookies(req.headers.cookie).get(COOKIE);
    const session = id === undefined ? undefined : this.byId.get(id);
    return session && id !== undefined ? { id, session } : undefined;
  }

  /** Ends every session the broker's LogoutRequest names (by SessionIndex, else by NameID). */
  endNamed(nameId: string, sessionIndexes: readonly string[]): number {
    let ended = 0;
    for (const [id, session] of this.byId) {
      const matches = session.nameId === nameId && (sessionIndexes.length === 0 || (session.sessionIndex !== undefined && sessionIndexes.includes(session.sessionIndex)));
      if (matches && this.byId.delete(id)) ended += 1;
    }
    return ended;
  }

  end(id: string): void {
    this.byId.delete(id);
  }
}

export function mountDemoSpLogout(app: express.Express, self: DemoLogoutSelf, broker: () => IdpMetadata, sessions: DemoSpSessions): void {
  app.post("/logout", (req, res) => {
    const current = sessions.of(req);
    if (!current) {
      res.status(400).type("html").send(layout("Demo fagsystem", html`<h1>Ikke logget ind / Not logged in</h1><p><a href="/">Tilbage / Back</a></p>`));
      return;
    }
    sessions.end(current.id);
    startLogout(res, self, broker(), current.session, "demo-logout");
  });

  const slo = (req: express.Request, res: express.Response) => {
    try {
      const received = readBrokerLogout(req, broker());
      if (received.kind === "request") {
        sessions.endNamed(received.request.nameId, received.request.sessionIndexes);
        const relayState = typeof req.query["RelayState"] === "string" ? req.query["RelayState"] : (req.body as Record<string, string> | undefined)?.["RelayState"];
        answerLogout(res, self, broker(), received.request, relayState);
        return;
      }
      const { status, subStatus } = received.response;
      const complete = status === STATUS.success && subStatus !== PARTIAL_LOGOUT;
      res.type("html").send(
        layout(
          "Demo fagsystem – logget ud",
          html`<h1>${complete ? "Logget ud / Logged out" : "Delvist logget ud / Partly logged out"}</h1>
<p>Brokerens svar / the broker's answer: <code id="logout-status">${status}${subStatus ? ` / ${subStatus}` : ""}</code></p><p><a href="/">Tilbage / Back</a></p>`,
        ),
      );
    } catch (error) {
      res.status(400).type("html").send(layout("Demo fagsystem", html`<h1>Logout-beskeden blev afvist / The logout message was refused</h1><p>${(error as Error).message}</p>`));
    }
  };
  app.get("/slo", slo);
  app.post("/slo", slo);
}
