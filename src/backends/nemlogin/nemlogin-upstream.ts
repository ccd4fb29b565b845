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
import type { NemLogIn } from "../../trust/registry.js";
import type { LoginRequest, UpstreamResult } from "../../login/types.js";
import { nsisClassRef, type NsisLevel } from "../../profiles/levels.js";
import { PROFESSIONAL_IDENTITY_CLASS } from "../../profiles/nemlogin-profile.js";
import type { SamlUpstream, StartedUpstream } from "../saml-sp/saml-upstream.js";
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

/** Sends the person on to NemLog-in; `completed` (the municipal step) waits with the login until NemLog-in answers. */
export function startNemLogIn(saml: SamlUpstream, nemlogin: NemLogIn, request: LoginRequest, completed: UpstreamResult[], level: NsisLevel): Promise<StartedUpstream> {
  return saml.startAt(nemLogInTarget(nemlogin, level), request, completed);
}
