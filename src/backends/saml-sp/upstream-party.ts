/**
 * The SAML upstreams the broker is an SP toward: a municipal IdP, or NemLog-in
 * for step-up. Both are verified by the same code (saml-upstream.ts, with
 * saml/response-validator.ts underneath); this module says, per kind, where a
 * request goes, what it asks for, and which keys and rules verify the answer.
 */
import type { IdpMetadata } from "../../saml/metadata-reader.js";
import { isSamlIdp, type TrustRegistry, type IdentityProvider, type SamlIdentityProvider } from "../../trust/registry.js";
import type { LoginRequest } from "../../model/login-request.js";
import type { UpstreamKind } from "../../model/upstream-result.js";
import type { AwaitingUpstream } from "../../login/login-state.js";
import type { IdpOiosamlProfile } from "../../profiles/idp-profiles.js";
import type { RobotRecognition } from "../../profiles/robot.js";
import { ceilingFor } from "../../profiles/delivered-level.js";
import { nsisRank, type LevelRequirement } from "../../profiles/levels.js";
import { requestedClassRefsFor } from "./requested-level.js";

/** Where one upstream step goes and what the AuthnRequest asks for. */
export interface SamlUpstreamTarget {
  kind: UpstreamKind;
  id: string;
  metadata: IdpMetadata;
  /** Scoping/RequesterID (the fagsystem's entityID), or undefined for none. */
  requesterId: string | undefined;
  /** RequestedAuthnContext classes; empty for none. */
  requestedClassRefs: string[];
}

/** How the answer of an upstream is verified and read. */
export interface SamlUpstreamParty {
  kind: UpstreamKind;
  id: string;
  metadata: IdpMetadata;
  policy: {
    allowSha1: boolean;
    requireSignedAssertion: boolean;
    requireEncryptedAssertion: boolean;
    oiosamlProfile: IdpOiosamlProfile;
  };
  /** How a municipal IdP's robots are recognised (none for NemLog-in). */
  robot: RobotRecognition | undefined;
}

/**
 * What to ask a municipal IdP for. When the IdP cannot reach the
 * requirement and a step-up through NemLog-in will follow, asking for the
 * level would only make the IdP refuse: nothing is asked, and NemLog-in is
 * asked for the level instead.
 */
export function municipalRequirement(required: LevelRequirement, idp: IdentityProvider, nemLogInConfigured: boolean): LevelRequirement {
  if (!idp.policy.stepUp || !nemLogInConfigured) return required;
  const ceiling = ceilingFor(idp.policy);
  switch (required.kind) {
    case "none":
      return required;
    case "nsis":
      return ceiling.nsis !== undefined && nsisRank(ceiling.nsis) >= nsisRank(required.minimum) ? required : { kind: "none" };
    case "nist":
      return ceiling.nist >= required.minimum ? required : { kind: "none" };
  }
}

export function municipalTarget(idp: SamlIdentityProvider, request: LoginRequest, registry: TrustRegistry): SamlUpstreamTarget {
  return {
    kind: "municipal-idp",
    id: idp.id,
    metadata: idp.metadata,
    requesterId: idp.policy.sendScoping ? (registry.downstreamParty(request.downstream.partyId)?.systemId ?? request.requesterId) : undefined,
    requestedClassRefs: requestedClassRefsFor(request.levelAtIdpOnly === true ? request.requiredLevel : municipalRequirement(request.requiredLevel, idp, registry.nemLogIn() !== undefined), idp.policy.oiosamlProfile),
  };
}

/** The party a stored login awaits, as currently registered; undefined when it is no longer registered. */
export function awaitedParty(registry: TrustRegistry, state: AwaitingUpstream): SamlUpstreamParty | undefined {
  const kind: UpstreamKind = state.upstreamKind ?? "municipal-idp";
  switch (kind) {
    case "municipal-idp": {
      const found = registry.identityProvider(state.upstreamId);
      // A login awaiting a SAML answer from an IdP now registered over OIDC finds no SAML party.
      const idp = found && isSamlIdp(found) ? found : undefined;
      return idp && { kind, id: idp.id, metadata: idp.metadata, policy: idp.policy, robot: idp.policy.robot };
    }
    case "nemlogin": {
      const nemlogin = registry.nemLogIn();
      if (!nemlogin || nemlogin.id !== state.upstreamId) return undefined;
      // NemLog-in speaks OIOSAML 3: the level is the NSIS loa attribute and class.
      return { kind, id: nemlogin.id, metadata: nemlogin.metadata, policy: { ...nemlogin.policy, oiosamlProfile: "OIOSAML3" }, robot: undefined };
    }
  }
}
