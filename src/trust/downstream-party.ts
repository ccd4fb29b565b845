/** The parties the broker answers, as the login core and the frontends see them. */
import type { DownstreamPolicy, OidcClientConfig } from "../config/schema.js";

/**
 * A party the broker answers (a fagsystem, SEB, an OIDC client): what the
 * login core needs of it, whatever protocol it speaks.
 */
export interface DownstreamParty {
  id: string;
  displayName: string;
  /** How the world names it (SAML entityID, OIDC client_id); attribute services know systems by it. */
  systemId: string;
  policy: DownstreamPolicy;
}

/** An OpenID Connect fagsystem: a downstream party with its client registration; the secret read from the environment. */
export interface OidcClient extends DownstreamParty {
  policy: OidcClientConfig;
  clientSecret: string | undefined;
}
