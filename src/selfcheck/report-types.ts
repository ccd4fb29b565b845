/** The self-check report: one entry per check, each pass / warn / fail with the reason and what to do (Danish first, English alongside). */
import type { IdpOiosamlProfile } from "../profiles/idp-profiles.js";
import type { LevelRequirement } from "../profiles/levels.js";

export type Verdict = "pass" | "warn" | "fail";

export type CheckArea = "trust" | "request" | "algorithms" | "identity" | "organisation" | "privileges" | "levels" | "clock";

export interface Bilingual {
  da: string;
  en: string;
}

export interface CheckResult {
  /** Stable id (for the JSON and for tests), e.g. `trust.idp-certificate`. */
  id: string;
  area: CheckArea;
  verdict: Verdict;
  title: Bilingual;
  /** What was found. */
  reason: Bilingual;
  /** What to do; absent on a pass. */
  fix?: Bilingual;
}

/** What was asked of the IdP and how, as kept with the report. */
export interface RequestedLevel {
  level: LevelRequirement;
  /** In words ("NSIS Substantial"). */
  described: string;
  sentAs: { protocol: "saml"; profile: IdpOiosamlProfile; classRefs: string[] } | { protocol: "oidc"; acrValues: string | undefined };
  /** A real login would not ask this IdP for the level but step up through NemLog-in (its registration does not reach it). */
  realLoginStepsUp: boolean;
}

export type ScopingSent = { sent: false; protocol: "saml" | "oidc" } | { sent: true; requesterId: string };

export interface SelfCheckReport {
  idp: { id: string; displayName: string; cvr: string };
  at: string;
  /** "login": a test login at the IdP was checked; "registration": only what needs no login (metadata, certificates, registration). */
  scope: "login" | "registration";
  /** The worst verdict of all checks. */
  overall: Verdict;
  checks: CheckResult[];
  /** Whether the test login's request carried Scoping/RequesterID (a SAML IdP registered with sendScoping), absent for the checks without a login. */
  scoping?: ScopingSent | undefined;
  /** The level the test login asked the IdP for, and how (absent for the checks without a login). */
  requested?: RequestedLevel | undefined;
  /** The test person's data as the IdP sent it: shown to the browser that ran the test, kept only with the report. */
  person: { nameId: string; nameIdFormat: string | undefined; attributes: Array<{ name: string; values: string[] }> };
}

export function worst(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes("fail")) return "fail";
  if (verdicts.includes("warn")) return "warn";
  return "pass";
}
