/** What the self-check's checks read, and the small helpers they share. */
import type { UpstreamResult } from "../model/upstream-result.js";
import type { JobFunctionRoleRegistration, SystemRolePolicy } from "../profiles/role-translation.js";
import type { LevelRequirement, NsisLevel } from "../profiles/levels.js";
import type { ServiceProbe } from "./attribute-service-probe.js";
import type { Bilingual, CheckResult, RequestedLevel, ScopingSent, Verdict } from "./report-types.js";

/** What the checks that need no login read: the IdP's registration and metadata, the broker's certificate, the time. */
export interface RegistrationInput {
  idp: {
    id: string;
    /** SAML-only checks (algorithms, NameID shape, OIOSAML 3 attributes) are left out for OIDC IdPs. */
    protocol: "saml" | "oidc";
    cvrs: readonly string[];
    metadataValidUntil: Date | undefined;
    /** PEM (or base64 DER), from the IdP's metadata. */
    signingCertificates: readonly string[];
    allowSha1: boolean;
    requireEncryptedAssertion: boolean;
    maxNsis: NsisLevel | "none";
    /** Where the registration takes privileges from: the assertion's OIO-BPP, an attribute service, or both. */
    privilegesFrom: "assertion" | "attribute-service" | "both";
  };
  /** The broker's signing certificate (base64 DER or PEM), as the IdP trusts it. */
  brokerCertificate: string;
  now: number;
}

/** A test login's input: the registration's, and the verified answer. */
export interface SelfCheckInput extends RegistrationInput {
  result: UpstreamResult;
  /** Each fagsystem's level requirement: does this login reach it, or would a step-up be needed. */
  fagsystems: ReadonlyArray<{ id: string; required: LevelRequirement; roles?: SystemRolePolicy }>;
  /** The job-function role register (owners and delegations), for the scope rule. */
  roleRegister?: ReadonlyMap<string, JobFunctionRoleRegistration>;
  /** The level the test login asked for, and how it was sent. */
  requested?: RequestedLevel | undefined;
  /** What the registration's attribute service answered for the test person (where it has one). */
  attributeService?: ServiceProbe | undefined;
  /** Whether the request carried Scoping. */
  scoping?: ScopingSent | undefined;
}

export const bi = (da: string, en: string): Bilingual => ({ da, en });

export function check(id: string, area: CheckResult["area"], title: Bilingual, verdict: Verdict, reason: Bilingual, fix?: Bilingual): CheckResult {
  return fix && verdict !== "pass" ? { id, area, verdict, title, reason, fix } : { id, area, verdict, title, reason };
}

export function valueOf(result: UpstreamResult, ...names: string[]): string | undefined {
  return result.attributes.find((a) => names.includes(a.name))?.values[0];
}
