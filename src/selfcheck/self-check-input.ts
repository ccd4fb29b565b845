/** The checks' input from the broker's registration of an IdP, its keys and the verified answer. */
import type { BrokerContext } from "../broker-context.js";
import type { UpstreamResult } from "../model/upstream-result.js";
import { isSamlIdp, type IdentityProvider } from "../trust/registry.js";
import { requirementOf } from "../config/level-requirement.js";
import { jobFunctionRoleRegister, systemRolePolicy } from "../trust/role-policy.js";
import { ceilingFor } from "../profiles/delivered-level.js";
import type { RegistrationInput, SelfCheckInput } from "./checks.js";

/** `brokerCertificate`: the broker's signing certificate, base64 DER or PEM. */
export function registrationInput(idp: IdentityProvider, brokerCertificate: string, now: number): RegistrationInput {
  const saml = isSamlIdp(idp) ? idp : undefined;
  return {
    idp: {
      id: idp.id,
      protocol: saml ? "saml" : "oidc",
      cvrs: idp.policy.cvrs,
      metadataValidUntil: saml?.metadata.validUntil,
      signingCertificates: saml?.metadata.signingCertificates ?? [],
      allowSha1: saml?.policy.allowSha1 ?? false,
      requireEncryptedAssertion: saml?.policy.requireEncryptedAssertion ?? false,
      maxNsis: ceilingFor(idp.policy).nsis ?? "none",
      privilegesFrom: idp.policy.privilegeSource.from,
    },
    brokerCertificate,
    now,
  };
}

export function selfCheckInput(broker: BrokerContext, idp: IdentityProvider, result: UpstreamResult): SelfCheckInput {
  const parties = [...broker.registry.serviceProviders(), ...broker.registry.oidcClients()];
  return {
    ...registrationInput(idp, broker.keys.signing.certificateBase64, broker.now()),
    result,
    fagsystems: parties.map((party) => ({ id: party.id, required: requirementOf(party.policy), roles: systemRolePolicy(party.policy) })),
    roleRegister: jobFunctionRoleRegister(broker.config),
  };
}
