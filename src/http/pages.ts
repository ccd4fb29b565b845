/** The pages a person can see. Plain, readable, bilingual (Danish / English), no inline script. */
import { html, type RawHtml } from "./html.js";

const STYLE = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.4rem}.muted{color:#666;font-size:.9rem}button{font-size:1rem;padding:.5rem 1rem;margin:.25rem 0;cursor:pointer}
ul.choices{list-style:none;padding:0}ul.choices li{margin:.4rem 0}code{background:#f3f3f3;padding:.1rem .3rem}
.environment{background:#fff3c4;border:1px solid #d9a900;padding:.3rem .6rem;font-size:.9rem}
.search label{display:block;font-weight:600}.search input{font-size:1rem;padding:.4rem;width:100%;max-width:24rem;box-sizing:border-box}
:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
table.report{border-collapse:collapse;width:100%;font-size:.9rem;margin:1rem 0}table.report td,table.report th{border:1px solid #bbb;overflow-wrap:anywhere;padding:.3rem;vertical-align:top;text-align:left}
tr.pass .verdict,.overall.pass strong{color:#14632d}tr.warn .verdict,.overall.warn strong{color:#7a4b00}tr.fail .verdict,.overall.fail strong{color:#a1141b}
body:has(table.report){max-width:70rem}@media print{.no-print,.environment,form,button{display:none}body{margin:0;max-width:none}table.report tr{break-inside:avoid}}`;

/** Every page outside production says which environment it belongs to, so nobody mistakes a test login for a real one. */
function environmentBanner(environment: string | undefined): RawHtml | undefined {
  if (environment === undefined || environment === "production") return undefined;
  return html`<p class="environment" role="note">Ikke produktion / Not production: <strong>${environment}</strong></p>
`;
}

export function layout(title: string, body: RawHtml, environment?: string): string {
  return html`<!doctype html>
<html lang="da">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<link rel="stylesheet" href="/static/broker.css"></head>
<body>${environmentBanner(environment)}${body}</body>
</html>`.value;
}

export const STYLESHEET = STYLE;

export function errorPage(title: string, message: string, correlationId: string, environment?: string): string {
  return layout(
    title,
    html`<h1>${title}</h1><p>${message}</p>
<p class="muted">Fejl-id / correlation id: <code>${correlationId}</code>. Oplys dette id, hvis du kontakter support. / Quote this id if you contact support.</p>`,
    environment,
  );
}

/** The search form (GET, works without JavaScript) above a list `#idp-list`; filter.js filters the list as one types. */
export function searchForm(action: string, query: string, count: number, loginId?: string): RawHtml {
  return html`<form method="get" action="${action}" role="search" class="search">
${loginId === undefined ? undefined : html`<input type="hidden" name="login" value="${loginId}">`}
<label for="idp-search">Søg efter kommune (navn eller CVR) / Search for a municipality (name or CVR)</label>
<input id="idp-search" name="q" type="search" value="${query}" autocomplete="off" maxlength="100" data-filter-list="idp-list" aria-describedby="idp-count">
<button type="submit">Søg / Search</button>
<p id="idp-count" class="muted" aria-live="polite">${count} kommune(r) / municipality(ies)</p>
</form>`;
}

/**
 * The municipality chooser: a search field (a plain GET form to `chooseUrl`,
 * filtering by name or CVR without JavaScript; filter.js filters as one
 * types) above the list of buttons that post the choice.
 */
export function chooserPage(loginId: string, options: ReadonlyArray<{ id: string; name: string; cvr: string }>, chooseUrl: string, environment?: string, query = ""): string {
  return layout(
    "Vælg kommune / Choose municipality",
    html`<h1>Vælg din kommune / Choose your municipality</h1>
${searchForm(chooseUrl, query, options.length, loginId)}
<form method="post" action="${chooseUrl}">
<input type="hidden" name="login" value="${loginId}">
<ul class="choices" id="idp-list">${options.map((o) => html`<li data-name="${o.name}" data-cvr="${o.cvr}"><button type="submit" name="idp" value="${o.id}">${o.name}</button></li>`)}</ul>
</form>
${options.length === 0 ? html`<p>Ingen kommune passer til søgningen. / No municipality matches the search.</p>` : undefined}
<script src="/static/filter.js" defer></script>`,
    environment,
  );
}

/** Auto-submitting form (HTTP-POST binding). Works without JavaScript through the button. */
export function autoPostPage(url: string, fields: Record<string, string>, environment?: string): string {
  return layout(
    "Videre / Continue",
    html`<form method="post" action="${url}" id="saml-post">
${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<noscript><p>JavaScript er slået fra. Tryk på knappen for at fortsætte. / JavaScript is off: press the button to continue.</p></noscript>
<button type="submit">Fortsæt / Continue</button>
</form>
<script src="/static/autosubmit.js"></script>`,
    environment,
  );
}

/**
 * A refusal shown to the person, with the SAML answer for the fagsystem in a
 * form they send on with the button (no auto-submit, so the message is read).
 */
export function noticePostPage(url: string, fields: Record<string, string>, title: string, message: string, correlationId: string, environment?: string): string {
  return layout(
    title,
    html`<h1>${title}</h1><p>${message}</p>
<p class="muted">Fejl-id / correlation id: <code>${correlationId}</code>. Oplys dette id, hvis du kontakter support. / Quote this id if you contact support.</p>
<form method="post" action="${url}" id="saml-notice">
${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit">Tilbage til systemet / Back to the system</button>
</form>`,
    environment,
  );
}
