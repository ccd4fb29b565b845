/**
 * The demo IdPs' scenarios: besides a normal answer, answers broken on
 * purpose so a vendor can see how its fagsystem handles what the broker then
 * sends it. Each is labelled as deliberate breakage on the login page.
 */
import { STATUS, type SubStatus, type TopStatus } from "../saml/namespaces.js";
import type { DemoUser } from "./demo-users-file.js";

/** How the IdP's answer itself is broken (beyond what it says about the user). */
export interface DemoBreakage {
  /** Answer with this error status and no assertion. */
  status?: { status: TopStatus; subStatus?: SubStatus; message: string };
  /** Issue the assertion as if an hour ago: its validity ended before it arrives. */
  expired?: boolean;
}

/** A CVR no demo municipality has and none delegates to: privileges scoped to it are not the municipality's. */
export const FOREIGN_CVR = "12345678";

export interface DemoScenario {
  key: string;
  label: string;
  /** What the IdP says about the user instead. */
  user?: (user: DemoUser) => DemoUser;
  breakage?: DemoBreakage;
}

const BROKEN = "FEJL MED VILJE / BROKEN ON PURPOSE:";

export const DEMO_SCENARIOS: readonly DemoScenario[] = [
  { key: "normal", label: "Normalt svar / Normal answer" },
  {
    key: "error-status",
    label: `${BROKEN} IdP'en svarer med fejlstatus / the IdP answers with an error status (Responder, AuthnFailed)`,
    breakage: { status: { status: STATUS.responder, subStatus: STATUS.authnFailed, message: "Demo IdP: login failed on purpose (scenario error-status)" } },
  },
  {
    key: "lower-level",
    label: `${BROKEN} lavere niveau end krævet / a lower level than requested (NSIS Low, NIST 2)`,
    user: (u) => ({ ...u, nsis: u.nsis === undefined ? undefined : "Low", nist: u.nist === undefined ? undefined : 2 }),
  },
  {
    key: "no-authn-context",
    label: `${BROKEN} IdP'en kan ikke give det krævede niveau / the IdP cannot give the requested level (Responder, NoAuthnContext)`,
    breakage: { status: { status: STATUS.responder, subStatus: STATUS.noAuthnContext, message: "Demo IdP: the requested level cannot be given (scenario no-authn-context)" } },
  },
  {
    key: "request-unsupported",
    label: `${BROKEN} IdP'en afviser forespørgslen som AD FS afviser Scoping / the IdP refuses the request as AD FS refuses Scoping (Responder, RequestUnsupported)`,
    breakage: { status: { status: STATUS.responder, subStatus: STATUS.requestUnsupported, message: "Demo IdP: Scoping is not supported (scenario request-unsupported)" } },
  },
  { key: "no-privileges", label: `${BROKEN} ingen rettigheder / no privileges (an empty privilege list)`, user: (u) => ({ ...u, privileges: [] }) },
  {
    key: "other-cvr",
    label: `${BROKEN} rettigheder for et andet CVR / privileges for another CVR (${FOREIGN_CVR})`,
    user: (u) => ({ ...u, privileges: u.privileges.map((p) => ({ ...p, scopeCvr: FOREIGN_CVR })) }),
  },
  { key: "expired", label: `${BROKEN} udløbet assertion / an expired assertion (valid until an hour ago)`, breakage: { expired: true } },
];

export function demoScenario(key: string | undefined): DemoScenario | undefined {
  return DEMO_SCENARIOS.find((s) => s.key === (key ?? "normal"));
}
