/** The self-check report: one entry per check, each pass / warn / fail with the reason and what to do (Danish first, English alongside). */
export type Verdict = "pass" | "warn" | "fail";

export type CheckArea = "trust" | "algorithms" | "identity" | "organisation" | "privileges" | "levels" | "clock";

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

export interface SelfCheckReport {
  idp: { id: string; displayName: string; cvr: string };
  at: string;
  /** "login": a test login at the IdP was checked; "registration": only what needs no login (metadata, certificates, registration). */
  scope: "login" | "registration";
  /** The worst verdict of all checks. */
  overall: Verdict;
  checks: CheckResult[];
  /** The test person's data as the IdP sent it: shown to the browser that ran the test, kept only with the report. */
  person: { nameId: string; nameIdFormat: string | undefined; attributes: Array<{ name: string; values: string[] }> };
}

export function worst(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes("fail")) return "fail";
  if (verdicts.includes("warn")) return "warn";
  return "pass";
}
