/** The checks' input from the broker's registration of an IdP, its keys and the verified answer. */
import type { BrokerContext } from "../broker-context.js";
import type { UpstreamResult } from "../model/upstream-result.js";
import { isSamlIdp, type IdentityProvider } from "../trust/registry.js";
import { requirementOf } from "../config/level-requirement.js";
import type { SelfCheckInput } from "./checks.js";

export function selfCheckInput(broker: BrokerContext, idp: IdentityProvider, result: UpstreamResult): SelfCheckInput {
  const saml = isSamlIdp(idp) ? idp : undefined;
  const parties = [...broker.registry.serviceProviders(), ...broker.registry.oidcClients()];
  return {
    idp: {
      id: idp.id,
      protocol: saml ? "saml" : "oidc",
      cvrs: idp.policy.cvrs,
      metadataValidUntil: saml?.metadata.validUntil,
      signingCertificates: saml?.metadata.signingCertificates ?? [],
      allowSha1: saml?.policy.allowSha1 ?? false,
      requireEncryptedAssertion: saml?.policy.requireEncryptedAssertion ?? false,
      maxNsis: idp.policy.maxLevel.nsis,
    },
    brokerCertificate: broker.keys.signing.certificateBase64,
    result,
    fagsystems: parties.map((party) => ({ id: party.id, required: requirementOf(party.policy) })),
    now: broker.now(),
  };
}
