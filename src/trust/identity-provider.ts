/** The municipal IdPs, as the login core and the backends see them. */
import type { IdentityProviderConfig, OidcIdentityProviderConfig } from "../config/schema.js";
import type { IdpMetadata } from "../saml/metadata-reader.js";

/** A municipality's IdP that speaks SAML (AD FS, OS2faktor, ...): its policy and metadata. */
export interface SamlIdentityProvider {
  protocol?: "saml";
  id: string;
  displayName: string;
  /** The municipality this IdP serves (its first CVR). */
  cvr: string;
  policy: IdentityProviderConfig;
  metadata: IdpMetadata;
}

/** A municipality's IdP that speaks OpenID Connect (Entra ID): its registration and the client secret from the environment. */
export interface OidcIdentityProvider {
  protocol: "oidc";
  id: string;
  displayName: string;
  cvr: string;
  policy: OidcIdentityProviderConfig;
  clientSecret: string | undefined;
}

/** A municipality's IdP, whatever protocol it speaks. The core reads only what both have. */
export type IdentityProvider = SamlIdentityProvider | OidcIdentityProvider;

export function isSamlIdp(idp: IdentityProvider): idp is SamlIdentityProvider {
  return idp.protocol !== "oidc";
}
