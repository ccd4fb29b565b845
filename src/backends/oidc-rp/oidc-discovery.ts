/**
 * Each OIDC IdP's configuration as openid-client holds it: discovery read
 * once and kept (openid-client refetches the JWKS when an ID token names a
 * new `kid`), client authentication (private_key_jwt with the broker's
 * signing key, or a secret from the environment), bounded timeouts, and the
 * broker's clock skew. A failed discovery is not kept, so the next login
 * tries again.
 */
import { createHash } from "node:crypto";
import * as oidc from "openid-client";
import type { BrokerContext } from "../../broker-context.js";
import type { OidcIdentityProvider } from "../../trust/registry.js";

/** Seconds any one request to an OP may take. */
const OP_TIMEOUT_SECONDS = 5;

export class OidcDiscovery {
  private readonly configurations = new Map<string, Promise<oidc.Configuration>>();

  constructor(private readonly broker: BrokerContext) {}

  configuration(idp: OidcIdentityProvider): Promise<oidc.Configuration> {
    let configuration = this.configurations.get(idp.id);
    if (!configuration) {
      configuration = this.discover(idp);
      this.configurations.set(idp.id, configuration);
      configuration.catch(() => this.configurations.delete(idp.id));
    }
    return configuration;
  }

  private clientAuthentication(idp: OidcIdentityProvider): oidc.ClientAuth {
    switch (idp.policy.tokenEndpointAuthMethod) {
      case "client_secret_post":
        return oidc.ClientSecretPost(idp.clientSecret);
      case "client_secret_basic":
        return oidc.ClientSecretBasic(idp.clientSecret);
      case "private_key_jwt": {
        const signing = this.broker.keys.signing;
        const der = Buffer.from(signing.certificateBase64, "base64");
        const key = signing.privateKey.toCryptoKey({ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]) as oidc.CryptoKey;
        return oidc.PrivateKeyJwt(
          { key, kid: createHash("sha256").update(der).digest("base64url") },
          {
            // Entra ID finds the uploaded certificate by its SHA-1 thumbprint.
            [oidc.modifyAssertion]: (header) => {
              header["x5t"] = createHash("sha1").update(der).digest("base64url");
            },
          },
        );
      }
    }
  }

  private async discover(idp: OidcIdentityProvider): Promise<oidc.Configuration> {
    const issuer = new URL(idp.policy.issuer);
    const insecure = issuer.protocol === "http:";
    const configuration = await oidc.discovery(
      issuer,
      idp.policy.clientId,
      { id_token_signed_response_alg: idp.policy.idTokenSigningAlg, [oidc.clockTolerance]: this.broker.config.timing.clockSkewSeconds },
      this.clientAuthentication(idp),
      { timeout: OP_TIMEOUT_SECONDS, ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}) },
    );
    configuration.timeout = OP_TIMEOUT_SECONDS;
    // openid-client trusts an ID token from the token endpoint on TLS alone unless told otherwise (OIDC Core
    // 3.1.3.7 allows it): the broker verifies its signature against the OP's JWKS every time.
    oidc.enableNonRepudiationChecks(configuration);
    return configuration;
  }
}
