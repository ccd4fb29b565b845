/** The self-check's pages: choose the IdP to test (a search that works without JavaScript), and the report. */
import { html } from "./html.js";
import { layout, searchForm } from "./pages.js";
import type { ChoosableIdp } from "./idp-filter.js";
import type { CheckArea, SelfCheckReport, Verdict } from "../selfcheck/report-types.js";
import { SELF_CHECK_LEVELS } from "../selfcheck/requested-level.js";
import { sentAs } from "../selfcheck/request-checks.js";

const VERDICT_LABEL: Record<Verdict, string> = { pass: "OK / Pass", warn: "Advarsel / Warning", fail: "Fejl / Fail" };
const AREA_LABEL: Record<CheckArea, string> = {
  trust: "Tillid / Trust",
  request: "Forespørgsel / Request",
  algorithms: "Algoritmer / Algorithms",
  identity: "Identitet / Identity",
  organisation: "Organisation",
  privileges: "Rettigheder / Privileges",
  levels: "Sikringsniveau / Levels",
  clock: "Ur / Clock",
};

export function selfCheckChooserPage(idps: readonly ChoosableIdp[], query: string, environment?: string): string {
  return layout(
    "Selvtjek af IdP / IdP self-check",
    html`<h1>Selvtjek af kommunens IdP / Check your municipality's IdP</h1>
<p>Vælg kommunen og log ind med en testbruger. Du får en rapport over forbindelsen; intet sendes videre til noget fagsystem. /
Choose the municipality and log in with a test user. You get a report on the connection; nothing is passed on to any system.</p>
${searchForm("/selfcheck", query, idps.length)}
<form method="post" action="/selfcheck/start">
<fieldset class="levels"><legend>Bed IdP'en om et niveau (valgfrit) / Ask the IdP for a level (optional)</legend>
${SELF_CHECK_LEVELS.map((l, i) => html`<label><input type="radio" name="level" value="${l.value}"${i === 0 ? html` checked` : undefined}> ${l.label}</label> `)}
<p class="muted">Sendes som i et rigtigt login til denne IdP (RequestedAuthnContext efter registreringens OIOSAML-profil). / Sent as a real login to this IdP sends it (RequestedAuthnContext per the registration's OIOSAML profile).</p>
</fieldset>
<ul class="choices" id="idp-list">${idps.map((o) => html`<li data-name="${o.name}" data-cvr="${o.cvr}"><button type="submit" name="idp" value="${o.id}">${o.name} <span class="muted">(CVR ${o.cvr})</span></button></li>`)}</ul>
</form>
${idps.length === 0 ? html`<p>Ingen kommune passer til søgningen. / No municipality matches the search.</p>` : undefined}
<script src="/static/filter.js" defer></script>`,
    environment,
  );
}

export function selfCheckReportPage(report: SelfCheckReport, reportId: string, environment?: string): string {
  const rows = report.checks.map(
    (c) => html`<tr class="${c.verdict}">
<td>${AREA_LABEL[c.area]}</td>
<td><strong>${c.title.da}</strong><br><span class="muted" lang="en">${c.title.en}</span></td>
<td class="verdict">${VERDICT_LABEL[c.verdict]}</td>
<td>${c.reason.da}<br><span class="muted" lang="en">${c.reason.en}</span></td>
<td>${c.fix ? html`${c.fix.da}<br><span class="muted" lang="en">${c.fix.en}</span>` : "-"}</td>
</tr>`,
  );
  const attributes = report.person.attributes.map((a) => html`<tr><td><code>${a.name}</code></td><td>${a.values.join(", ").slice(0, 200)}</td></tr>`);
  return layout(
    "Selvtjek-rapport / Self-check report",
    html`<h1>Selvtjek-rapport / Self-check report: ${report.idp.displayName}</h1>
<p class="overall ${report.overall}" role="status">Samlet resultat / Overall: <strong>${VERDICT_LABEL[report.overall]}</strong></p>
<p class="muted">IdP <code>${report.idp.id}</code>, CVR ${report.idp.cvr}, ${report.at}. Rapporten slettes efter 15 minutter. / The report is deleted after 15 minutes.</p>
${report.requested?.level.kind === "none" ? html`<p>Bedt om niveau / Requested level: <strong>intet / none</strong></p>` : undefined}
${report.requested && report.requested.level.kind !== "none" ? html`<p>Bedt om niveau / Requested level: <strong>${report.requested.described}</strong>, ${sentAs(report.requested).da}<br><span class="muted" lang="en">${sentAs(report.requested).en}</span></p>` : undefined}
<p class="no-print"><a href="/selfcheck/report/${reportId}.json" download="selfcheck-${report.idp.id}.json">Hent som JSON / Download as JSON</a> · <a href="/selfcheck">Nyt selvtjek / New self-check</a></p>
<table class="report">
<caption>Tjek / Checks</caption>
<thead><tr><th scope="col">Område / Area</th><th scope="col">Tjek / Check</th><th scope="col">Resultat / Result</th><th scope="col">Fundet / Found</th><th scope="col">Gør dette / What to do</th></tr></thead>
<tbody>${rows}</tbody>
</table>
<h2>Testpersonens data / The test person's data</h2>
<p class="muted">Vises kun i denne browser og gemmes kun med rapporten. / Shown only in this browser, kept only with the report.</p>
<table class="report"><caption>NameID: <code>${report.person.nameId}</code></caption>
<thead><tr><th scope="col">Attribut / Attribute</th><th scope="col">Værdi / Value</th></tr></thead><tbody>${attributes}</tbody></table>`,
    environment,
  );
}
