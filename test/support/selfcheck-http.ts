/**
 * A self-check run over plain HTTP against the running demo: the chooser's
 * form, the demo IdP's login form, the ACS, and the report as JSON with the
 * browser's cookie. Real signed requests and answers throughout.
 */
import { expect } from "vitest";
import type { DemoInstance } from "./demo-instance.js";

export interface ReportCheck {
  id: string;
  verdict: string;
  reason: { en: string };
  fix?: { en: string };
}

export interface JsonReport {
  overall: string;
  checks: ReportCheck[];
  scoping?: { sent: boolean; requesterId?: string };
  requested?: { level: unknown; sentAs: { protocol: string; profile?: string; classRefs?: string[] }; realLoginStepsUp: boolean };
  person: { attributes: Array<{ name: string; values: string[] }> };
}

export async function postForm(url: string, fields: Record<string, string>, cookie = ""): Promise<Response> {
  return fetch(url, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", cookie }, body: new URLSearchParams(fields).toString() });
}

export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match?.[1]) throw new Error(`no ${name} field in ${html.slice(0, 300)}`);
  return match[1].replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

/** The class refs the demo IdP read from the broker's signed AuthnRequest, as its login page shows them. */
function askedFor(idpPage: string): string[] {
  const match = /beder om \/ the system asks for: <code>([^<]*)<\/code>/.exec(idpPage);
  return match?.[1] ? match[1].split(", ") : [];
}

/** The RequesterID the demo IdP read from the request's Scoping, as its login page shows it. */
function requesterOf(idpPage: string): string | undefined {
  return /Fagsystem: <code>([^<]*)<\/code>/.exec(idpPage)?.[1];
}

/** Runs a self-check at `idp` asking for `level`, logging in as `user` with the demo IdP's `scenario`; what the IdP was asked and the report. */
export async function runSelfCheck(instance: DemoInstance, idp: string, level: string, user: string, scenario = "normal"): Promise<{ asked: string[]; requester: string | undefined; report: JsonReport }> {
  const start = await postForm(`${instance.brokerUrl}/selfcheck/start`, { idp, level });
  expect(start.status).toBe(303);
  const location = start.headers.get("location") ?? "";
  const idpUrl = new URL(location).origin;
  const idpPage = await (await fetch(location)).text();
  const answer = await postForm(`${idpUrl}/login`, { request: hiddenField(idpPage, "request"), user, scenario });
  const acs = await postForm(`${instance.brokerUrl}/saml/acs`, { SAMLResponse: hiddenField(await answer.text(), "SAMLResponse") });
  expect(acs.status).toBe(303);
  const cookie = (acs.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const report = (await (await fetch(`${instance.brokerUrl}${acs.headers.get("location") ?? ""}.json`, { headers: { cookie } })).json()) as JsonReport;
  return { asked: askedFor(idpPage), requester: requesterOf(idpPage), report };
}
