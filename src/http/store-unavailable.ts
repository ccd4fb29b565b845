/**
 * The answer when the state store cannot be reached: HTTP 503 with a clear
 * page. When the fagsystem is known, the page also offers to go back to it
 * carrying a signed SAML error (Responder), so it learns the login failed.
 * The button is not auto-submitted: the person can also simply try again.
 */
import type { Response } from "express";
import type { LoginPorts } from "../login/ports.js";
import type { LoginRequest } from "../model/login-request.js";
import { LoginError } from "../model/login-error.js";
import { LoginUnavailable } from "../login/login-unavailable.js";
import type { StoreUnavailableError } from "../store/state-store.js";
import { html } from "./html.js";
import { layout } from "./pages.js";
import { environmentOf, sendErrorPage } from "./respond.js";

const TITLE = "Login er midlertidigt utilgængeligt / Login is temporarily unavailable";
const MESSAGE = "Prøv igen om lidt. / Please try again shortly.";

export function sendStoreUnavailable(res: Response, ports: LoginPorts, error: StoreUnavailableError, correlationId: string): void {
  if (res.headersSent) return;
  if (!(error instanceof LoginUnavailable)) {
    sendErrorPage(res, 503, TITLE, MESSAGE, correlationId);
    return;
  }
  const frontend = ports.frontends[error.downstream.frontend];
  // Only the party's frontend can word its refusal; the request itself is not needed beyond the party.
  const request: LoginRequest = { correlationId, downstream: error.downstream, requiredLevel: { kind: "none" }, forceAuthn: false, isPassive: false, municipalityHint: undefined, createdAt: 0 };
  const answer = frontend?.refuse(request, new LoginError("store_unavailable", "The login service is temporarily unavailable", "failed"));
  if (answer?.kind !== "post") {
    sendErrorPage(res, 503, TITLE, MESSAGE, correlationId);
    return;
  }
  const target = new URL(answer.url);
  res.setHeader("Content-Security-Policy", `default-src 'none'; style-src 'self'; form-action ${target.origin}; frame-ancestors 'none'; base-uri 'none'`);
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Retry-After", "10");
  res.status(503).type("html").send(
    layout(
      TITLE,
      html`<h1>${TITLE}</h1><p>${MESSAGE}</p>
<form method="post" action="${answer.url}">
${Object.entries(answer.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit">Tilbage til systemet / Back to the system</button>
</form>
<p class="muted">Fejl-id / correlation id: <code>${correlationId}</code>. Oplys dette id, hvis du kontakter support. / Quote this id if you contact support.</p>`,
      environmentOf(res),
    ),
  );
}
