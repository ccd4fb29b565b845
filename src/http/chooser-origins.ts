/**
 * Where a form on the chooser page may lead. The person's choice is posted to
 * the broker, which answers with a redirect to the chosen IdP; browsers apply
 * the page's `form-action` to that redirect as well, so the page must allow
 * the broker itself and the origins of the registered IdPs' sign-on
 * endpoints, and nothing else.
 */
import { isSamlIdp, type TrustRegistry } from "../trust/registry.js";

/**
 * A registry never changes (a refresh makes a new one), so each list is
 * worked out once per registry, not on every page: with hundreds of parties
 * that is hundreds of URL parses saved per answer.
 */
const computed = new WeakMap<TrustRegistry, Map<string, readonly string[]>>();

function once(kind: string, registry: TrustRegistry, compute: () => string[]): string[] {
  let lists = computed.get(registry);
  if (!lists) {
    lists = new Map();
    computed.set(registry, lists);
  }
  let list = lists.get(kind);
  if (!list) {
    list = Object.freeze(compute());
    lists.set(kind, list);
  }
  return list as string[];
}

export function chooserFormOrigins(registry: TrustRegistry): string[] {
  return once("chooserFormOrigins", registry, () => {
    const origins = new Set<string>();
    for (const idp of registry.identityProviders()) {
      // An OIDC IdP's authorization endpoint is on its issuer's origin (Entra ID: login.microsoftonline.com).
      const locations = isSamlIdp(idp) ? idp.metadata.singleSignOnServices.map((s) => s.location) : [idp.policy.issuer];
      for (const location of locations) {
        const origin = originOf(location);
        if (origin) origins.add(origin);
      }
    }
    return [...origins].sort();
  });
}

/** The origins of every registered OIDC client's redirect and post-logout URIs (where oidc-provider's pages send forms). */
export function oidcClientOrigins(registry: TrustRegistry): string[] {
  return once("oidcClientOrigins", registry, () => {
    const origins = new Set<string>();
    for (const client of registry.oidcClients()) {
      for (const url of [...client.policy.redirectUris, ...client.policy.postLogoutRedirectUris]) {
        const origin = originOf(url);
        if (origin) origins.add(origin);
      }
    }
    return [...origins].sort();
  });
}

function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === "null" ? undefined : origin;
  } catch {
    return undefined;
  }
}

/** Where the logout page's hidden frames may go: the origins of the fagsystemer's SingleLogoutService endpoints. */
export function logoutFrameOrigins(registry: TrustRegistry): string[] {
  return once("logoutFrameOrigins", registry, () => {
    const origins = new Set<string>();
    for (const sp of registry.serviceProviders()) {
      for (const service of sp.metadata.singleLogoutServices) {
        const origin = originOf(service.location);
        if (origin) origins.add(origin);
      }
    }
    return [...origins].sort();
  });
}

/**
 * Where a logout begun by a form (oidc-provider's logout confirmation) may be
 * redirected on: the upstream IdPs' and NemLog-in's SingleLogoutService origins.
 */
export function upstreamLogoutOrigins(registry: TrustRegistry): string[] {
  return once("upstreamLogoutOrigins", registry, () => {
    const origins = new Set<string>();
    const services = [...registry.identityProviders().flatMap((idp) => (isSamlIdp(idp) ? idp.metadata.singleLogoutServices : [])), ...(registry.nemLogIn()?.metadata.singleLogoutServices ?? [])];
    for (const service of services) {
      const origin = originOf(service.location);
      if (origin) origins.add(origin);
    }
    // A municipal OpenID Connect IdP's end_session_endpoint is on its issuer's origin (Entra ID: login.microsoftonline.com).
    for (const idp of registry.identityProviders()) {
      const origin = isSamlIdp(idp) ? undefined : originOf(idp.policy.issuer);
      if (origin) origins.add(origin);
    }
    return [...origins].sort();
  });
}
