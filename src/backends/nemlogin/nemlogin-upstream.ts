/**
 * The broker as SAML SP toward NemLog-in (MitID Erhverv), the step-up
 * upstream. The request is an ordinary signed AuthnRequest asking, with
 * RequestedAuthnContext, for the NSIS level the fagsystem needs (and for a
 * professional identity); the answer arrives at the same ACS and is verified
 * by the same code as a municipal IdP's (saml-sp/saml-upstream.ts: signature
 * with NemLog-in's metadata keys, decryption, audience, recipient,
 * InResponseTo, times, replay). Binding it to the person is the pipeline's
 * step-up step (login/steps/step-up.ts).
 */
import type { NemLogIn, TrustRegistry } from "../../trust/registry.js";
import type { FurtherUpstream, StartedUpstream } from "../../login/ports.js";
import { LoginError } from "../../model/login-error.js";
import type { LoginRequest } from "../../model/login-request.js";
import type { UpstreamResult } from "../../model/upstream-result.js";
import { nsisClassRef, type NsisLevel } from "../../profiles/levels.js";
import { PROFESSIONAL_IDENTITY_CLASS } from "../../profiles/nemlogin-profile.js";
import type { SamlUpstream } from "../saml-sp/saml-upstream.js";
import type { SamlUpstreamTarget } from "../saml-sp/upstream-party.js";

/** What the AuthnRequest to NemLog-in asks for: the NSIS level, and (by default) an employee identity. */
export function nemLogInTarget(nemlogin: NemLogIn, level: NsisLevel): SamlUpstreamTarget {
  return {
    kind: "nemlogin",
    id: nemlogin.id,
    metadata: nemlogin.metadata,
    // NemLog-in picks no per-system policy from Scoping; the fagsystem is not named.
    requesterId: undefined,
    requestedClassRefs: [nsisClassRef(level), ...(nemlogin.policy.requestProfessionalIdentity ? [PROFESSIONAL_IDENTITY_CLASS] : [])],
  };
}

/** NemLog-in as the core's further upstream for step-up: `completed` (the municipal step) waits with the login until it answers. */
export class NemLogInUpstream implements FurtherUpstream {
  constructor(
    private readonly saml: SamlUpstream,
    /** The trust in force at each login (it may be refreshed while the broker runs). */
    private readonly registry: () => TrustRegistry,
  ) {}

  start(level: NsisLevel, request: LoginRequest, completed: UpstreamResult[]): Promise<StartedUpstream> {
    const nemlogin = this.registry().nemLogIn();
    if (!nemlogin) throw new LoginError("nemlogin_gone", "NemLog-in is no longer configured");
    return this.saml.startAt(nemLogInTarget(nemlogin, level), request, completed);
  }
}
