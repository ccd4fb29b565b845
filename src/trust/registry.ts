/**
 * The registry of trusted parties, built from configuration and the metadata
 * files it names. Keys used to verify anything come only from here.
 */
import type { BrokerConfig, ServiceProviderConfig } from "../config/schema.js";
import type { DownstreamParty, OidcClient } from "./downstream-party.js";

export type { DownstreamParty, OidcClient } from "./downstream-party.js";
import { isSamlIdp, type IdentityProvider, type SamlIdentityProvider } from "./identity-provider.js";

export { isSamlIdp } from "./identity-provider.js";
export type { IdentityProvider, OidcIdentityProvider, SamlIdentityProvider } from "./identity-provider.js";
import type { NemLogInConfig } from "../config/nemlogin-schema.js";
import { readIdpMetadata, readSpMetadata, type IdpMetadata, type SpMetadata } from "../saml/metadata-reader.js";
import { ConfigError } from "../config/load-config.js";
import { partyMetadata, READ_METADATA_FILES, type MetadataSource } from "./party-metadata.js";
import { requireUpstreamEssentials, withCheckedSigningCertificates, type CertificateChecking } from "./party-certificates.js";
import type { ChainChecker } from "./chain-checker.js";
import { loadOidcClients } from "./oidc-clients.js";
import { checkEnvironment } from "./environment-guard.js";
import { loadOidcIdentityProviders } from "./oidc-idps.js";


/** A SAML service provider: a downstream party with SAML metadata. */
export interface ServiceProvider extends DownstreamParty {
  policy: ServiceProviderConfig;
  metadata: SpMetadata;
}

/** NemLog-in, the step-up upstream (MitID Erhverv). Its results carry `upstreamId` NEMLOGIN_ID. */
export interface NemLogIn {
  id: typeof NEMLOGIN_ID;
  displayName: string;
  policy: NemLogInConfig;
  metadata: IdpMetadata;
}

export const NEMLOGIN_ID = "nemlogin";

export class TrustRegistry {
  private readonly idpsById = new Map<string, IdentityProvider>();
  private readonly spsByEntityId = new Map<string, ServiceProvider>();
  private readonly downstreamById = new Map<string, DownstreamParty>();
  private readonly clientsByClientId = new Map<string, OidcClient>();
  private readonly organisations = new Map<string, string>();

  constructor(
    idps: IdentityProvider[],
    sps: ServiceProvider[],
    organisations: Array<{ cvr: string; name: string }>,
    private readonly nemLogInParty: NemLogIn | undefined = undefined,
    clients: OidcClient[] = [],
    /** What the operator should know about this trust (certificates refused or kept outside their dates), one line each. */
    readonly warnings: readonly string[] = [],
  ) {
    const idpEntityIds = new Set<string>();
    if (nemLogInParty) idpEntityIds.add(nemLogInParty.metadata.entityId);
    for (const idp of idps) {
      if (this.idpsById.has(idp.id)) throw new ConfigError(`two identity providers share the id ${idp.id}`);
      const entityId = isSamlIdp(idp) ? idp.metadata.entityId : `oidc:${idp.policy.issuer}`;
      if (idpEntityIds.has(entityId)) throw new ConfigError(`two identity providers share ${isSamlIdp(idp) ? "entityID" : "issuer"} ${entityId}`);
      idpEntityIds.add(entityId);
      this.idpsById.set(idp.id, idp);
    }
    for (const sp of sps) {
      if (this.spsByEntityId.has(sp.metadata.entityId)) throw new ConfigError(`two service providers share entityID ${sp.metadata.entityId}`);
      if (this.downstreamById.has(sp.id)) throw new ConfigError(`two downstream parties share the id ${sp.id}`);
      this.spsByEntityId.set(sp.metadata.entityId, sp);
      this.downstreamById.set(sp.id, sp);
    }
    for (const client of clients) {
      if (this.downstreamById.has(client.id)) throw new ConfigError(`two downstream parties share the id ${client.id}`);
      if (this.clientsByClientId.has(client.systemId)) throw new ConfigError(`two OIDC clients share client_id ${client.systemId}`);
      this.clientsByClientId.set(client.systemId, client);
      this.downstreamById.set(client.id, client);
    }
    for (const org of organisations) this.organisations.set(org.cvr, org.name);
  }

  oidcClients(): OidcClient[] {
    return [...this.clientsByClientId.values()];
  }

  oidcClientByClientId(clientId: string): OidcClient | undefined {
    return this.clientsByClientId.get(clientId);
  }

  /** NemLog-in when step-up is configured. */
  nemLogIn(): NemLogIn | undefined {
    return this.nemLogInParty;
  }

  identityProviders(): IdentityProvider[] {
    return [...this.idpsById.values()];
  }

  identityProvider(id: string): IdentityProvider | undefined {
    return this.idpsById.get(id);
  }

  /** A municipality hint is an IdP id or a CVR the IdP serves. */
  identityProviderForHint(hint: string): IdentityProvider | undefined {
    const byId = this.idpsById.get(hint);
    if (byId) return byId;
    return this.identityProviders().find((idp) => idp.policy.cvrs[0] === hint) ?? this.identityProviders().find((idp) => idp.policy.cvrs.includes(hint));
  }

  serviceProviderByEntityId(entityId: string): ServiceProvider | undefined {
    return this.spsByEntityId.get(entityId);
  }

  /** A downstream party by its id in the configuration, whatever its protocol. */
  downstreamParty(id: string): DownstreamParty | undefined {
    return this.downstreamById.get(id);
  }

  serviceProviders(): ServiceProvider[] {
    return [...this.spsByEntityId.values()];
  }

  organisationName(cvr: string): string | undefined {
    return this.organisations.get(cvr);
  }

  /**
   * A new registry with these parties' registrations replaced (matched by id),
   * every other party as it is here. The constructor's rules apply again
   * (no two parties with one entityID).
   */
  withParties(replacements: readonly LoadedParty[], warnings: readonly string[]): TrustRegistry {
    const idps = new Map<string, IdentityProvider>();
    const sps = new Map<string, ServiceProvider>();
    let nemlogin = this.nemLogInParty;
    for (const replacement of replacements) {
      if (replacement.kind === "identityProvider") idps.set(replacement.party.id, replacement.party);
      else if (replacement.kind === "serviceProvider") sps.set(replacement.party.id, replacement.party);
      else nemlogin = replacement.party;
    }
    return new TrustRegistry(
      this.identityProviders().map((idp) => idps.get(idp.id) ?? idp),
      this.serviceProviders().map((sp) => sps.get(sp.id) ?? sp),
      [...this.organisations].map(([cvr, name]) => ({ cvr, name })),
      nemlogin,
      this.oidcClients(),
      warnings,
    );
  }
}

/** One party's registration, read on its own. */
export type LoadedParty =
  | { kind: "identityProvider"; party: SamlIdentityProvider }
  | { kind: "serviceProvider"; party: ServiceProvider }
  | { kind: "nemlogin"; party: NemLogIn };

export { READ_METADATA_FILES, type MetadataSource } from "./party-metadata.js";

/** What every party's loading shares. */
interface Loading extends CertificateChecking {
  source: MetadataSource;
}

/** A party in the configuration whose metadata can be read on its own. */
export type PartyRef = { kind: "identityProvider"; index: number } | { kind: "serviceProvider"; index: number } | { kind: "nemlogin" };

export function partyWhere(config: BrokerConfig, ref: PartyRef): string {
  switch (ref.kind) {
    case "identityProvider":
      return `identityProviders[${ref.index}] (${config.identityProviders[ref.index]?.id ?? "?"})`;
    case "serviceProvider":
      return `serviceProviders[${ref.index}] (${config.serviceProviders[ref.index]?.id ?? "?"})`;
    case "nemlogin":
      return "nemlogin";
  }
}

function loadIdentityProvider(index: number, loading: Loading): SamlIdentityProvider {
  const policy = loading.config.identityProviders[index]!;
  const where = partyWhere(loading.config, { kind: "identityProvider", index });
  const metadata = withCheckedSigningCertificates(policy.id, where, partyMetadata(where, policy, readIdpMetadata, loading.source, loading.now), policy, loading);
  requireUpstreamEssentials(metadata, where);
  return { id: policy.id, displayName: policy.displayName, cvr: policy.cvrs[0]!, policy, metadata };
}

function loadServiceProvider(index: number, loading: Loading): ServiceProvider {
  const policy = loading.config.serviceProviders[index]!;
  const where = partyWhere(loading.config, { kind: "serviceProvider", index });
  const metadata = withCheckedSigningCertificates(policy.id, where, partyMetadata(where, policy, readSpMetadata, loading.source, loading.now), policy, loading);
  if (metadata.assertionConsumerServices.length === 0) throw new ConfigError(`${where}: metadata has no AssertionConsumerService`);
  if (policy.requireSignedRequests && metadata.signingCertificates.length === 0) {
    throw new ConfigError(`${where}: requireSignedRequests is set but the metadata has no signing certificate`);
  }
  return { id: policy.id, displayName: policy.displayName ?? policy.id, systemId: metadata.entityId, policy, metadata };
}

function loadNemLogIn(loading: Loading): NemLogIn | undefined {
  const policy = loading.config.nemlogin;
  if (!policy) return undefined;
  const where = "nemlogin";
  const metadata = withCheckedSigningCertificates(NEMLOGIN_ID, where, partyMetadata(where, policy, readIdpMetadata, loading.source, loading.now), policy, loading);
  if (metadata.entityId !== policy.entityId) {
    throw new ConfigError(`${where}: metadata ${policy.metadata} is for ${metadata.entityId}, not the configured entityId ${policy.entityId}`);
  }
  requireUpstreamEssentials(metadata, where);
  return { id: NEMLOGIN_ID, displayName: policy.displayName, policy, metadata };
}

/**
 * Reads one party's registration from a metadata document, by every rule
 * start-up applies to it (signature, shape, validUntil, certificate dates,
 * chain and revocation, the environment). Throws ConfigError naming the party.
 */
export function loadParty(config: BrokerConfig, ref: PartyRef, xml: string, now: Date, chain?: ChainChecker): { loaded: LoadedParty; warnings: string[] } {
  const loading: Loading = { config, now, warnings: [], source: () => xml, chain };
  const where = partyWhere(config, ref);
  let loaded: LoadedParty;
  if (ref.kind === "identityProvider") loaded = { kind: ref.kind, party: loadIdentityProvider(ref.index, loading) };
  else if (ref.kind === "serviceProvider") loaded = { kind: ref.kind, party: loadServiceProvider(ref.index, loading) };
  else {
    const nemlogin = loadNemLogIn(loading);
    if (!nemlogin) throw new ConfigError("nemlogin is not configured");
    loaded = { kind: ref.kind, party: nemlogin };
  }
  checkEnvironment(config.environment, [{ where, entityId: loaded.party.metadata.entityId }]);
  return { loaded, warnings: loading.warnings };
}

export function loadTrustRegistry(
  config: BrokerConfig,
  now: Date = new Date(),
  env: NodeJS.ProcessEnv = process.env,
  source: MetadataSource = READ_METADATA_FILES,
  chain?: ChainChecker,
): TrustRegistry {
  const loading: Loading = { config, now, warnings: [], source, chain };
  const idps = config.identityProviders.map((_policy, index) => loadIdentityProvider(index, loading));
  const sps = config.serviceProviders.map((_policy, index) => loadServiceProvider(index, loading));
  const nemlogin = loadNemLogIn(loading);
  checkEnvironment(config.environment, [
    ...(nemlogin ? [{ where: "nemlogin", entityId: nemlogin.metadata.entityId }] : []),
    ...idps.map((idp, index) => ({ where: partyWhere(config, { kind: "identityProvider", index }), entityId: idp.metadata.entityId })),
    ...sps.map((sp, index) => ({ where: partyWhere(config, { kind: "serviceProvider", index }), entityId: sp.metadata.entityId })),
  ]);
  return new TrustRegistry([...idps, ...loadOidcIdentityProviders(config.oidcIdentityProviders, env)], sps, config.organisations, nemlogin, loadOidcClients(config.oidcClients, env), loading.warnings);
}
