/** The pages of a Single Logout: the page that tells the fagsystemer in hidden frames, and the summary. No inline script. */
import { html } from "./html.js";
import { layout } from "./pages.js";
import type { LogoutSummaryEntry } from "../model/interaction.js";

export const LOGOUT_PATH = "/logout";

export function logoutFramePath(runId: string, step: number): string {
  return `${LOGOUT_PATH}/frame/${encodeURIComponent(runId)}/${step}`;
}
export function logoutStatusPath(runId: string): string {
  return `${LOGOUT_PATH}/status/${encodeURIComponent(runId)}`;
}
export function logoutContinuePath(runId: string): string {
  return `${LOGOUT_PATH}/continue/${encodeURIComponent(runId)}`;
}

/**
 * Each fagsystem reached through the browser gets its LogoutRequest in a
 * hidden frame, all at once. /static/logout.js goes on as soon as every frame
 * has answered; without script the page goes on when the wait is over.
 */
export function logoutFramesPage(runId: string, steps: readonly number[], waitSeconds: number, environment?: string): string {
  const continueUrl = logoutContinuePath(runId);
  return layout(
    "Logger ud / Logging out",
    html`<h1>Logger ud … / Logging out …</h1>
<p>Du bliver logget ud af alle systemer. Vent venligst. / You are being logged out of every system. Please wait.</p>
<div id="logout" data-status="${logoutStatusPath(runId)}" data-continue="${continueUrl}" data-wait="${String(waitSeconds)}">
${steps.map((step) => html`<iframe src="${logoutFramePath(runId, step)}" title="logout ${String(step)}" hidden></iframe>`)}
</div>
<p><a href="${continueUrl}">Fortsæt / Continue</a></p>
<script src="/static/logout.js"></script>`,
    environment,
  ).replace("<head>", `<head><meta http-equiv="refresh" content="${waitSeconds + 1};url=${continueUrl}">`);
}

export function logoutSummaryPage(
  entries: readonly LogoutSummaryEntry[],
  complete: boolean,
  correlationId: string,
  next: { kind: "redirect"; url: string } | { kind: "post"; url: string; fields: Record<string, string> } | undefined,
  environment?: string,
): string {
  const title = complete ? "Du er logget ud / You are logged out" : "Du er måske ikke logget helt ud / You may not be fully logged out";
  const advice = complete
    ? html`<p>Du er logget ud af alle systemer herunder. / You are logged out of every system below.</p>`
    : html`<p>Nogle systemer bekræftede ikke, at du er logget ud. Luk browseren, hvis computeren deles med andre. / Some systems did not confirm the logout. Close the browser if others use this computer.</p>`;
  const onward = onwardTo(next);
  return layout(
    title,
    html`<h1>${title}</h1>${advice}
<ul id="logout-results">${entries.map((e) => html`<li data-logged-out="${e.loggedOut ? "yes" : "no"}">${e.name}: ${e.loggedOut ? "logget ud / logged out" : "ikke bekræftet / not confirmed"}</li>`)}</ul>
<p class="muted">Fejl-id / correlation id: <code>${correlationId}</code></p>
${onward}`,
    environment,
  );
}

type Onward = { kind: "redirect"; url: string } | { kind: "post"; url: string; fields: Record<string, string> } | undefined;

/** The button (or link) that carries the answer on to the party. */
function onwardTo(next: Onward) {
  if (next === undefined) return html``;
  if (next.kind === "redirect") return html`<p><a href="${next.url}" id="logout-continue">Tilbage til systemet / Back to the system</a></p>`;
  return html`<form method="post" action="${next.url}" id="logout-continue">
${Object.entries(next.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit">Tilbage til systemet / Back to the system</button>
</form>`;
}

/** A refused logout message: what happened, and the party's (error) answer carried on by the person. */
export function logoutRefusedPage(message: string, correlationId: string, next: Onward, environment?: string): string {
  return layout(
    "Logout mislykkedes / Logout failed",
    html`<h1>Logout mislykkedes / Logout failed</h1><p>${message}</p>
<p class="muted">Fejl-id / correlation id: <code>${correlationId}</code>. Oplys dette id, hvis du kontakter support. / Quote this id if you contact support.</p>
${onwardTo(next)}`,
    environment,
  );
}

/** What a frame shows once its fagsystem has answered. */
export function logoutFrameDonePage(): string {
  return layout("Logget ud / Logged out", html`<p>OK</p>`);
}
