/**
 * The demo's configuration with the sandbox options applied: where it listens
 * and is reached (`--host`, `--base-url`), the vendor's fagsystemer (`--sp`,
 * `--oidc-client`). Refuses a production configuration: the sandbox's keys
 * are self-signed and its users fixed.
 */
import { isProduction } from "../config/environments.js";
import type { BrokerConfig } from "../config/schema.js";
import type { DemoMunicipality } from "./demo-users-file.js";
import { sandboxOidcClient, type SandboxOidcClient } from "./sandbox-oidc.js";
import { SandboxError, sandboxServiceProvider, type SandboxSp, type SandboxSpFlags } from "./sandbox-sp.js";

const DEMO_FAGSYSTEM_ID = "demo-fagsystem";

export interface SandboxOptions extends SandboxSpFlags {
  /** The address to listen on (127.0.0.1 unless given). */
  host?: string | undefined;
  /** The broker's public base URL; the demo parties are reached on the same host name. */
  baseUrl?: string | undefined;
  sp?: string[] | undefined;
  oidcClient?: string[] | undefined;
}

export interface SandboxSetup {
  config: BrokerConfig;
  /** The host name the demo parties are reached by. */
  publicHost: string;
  sps: SandboxSp[];
  oidcClients: SandboxOidcClient[];
  /** Things the person starting the sandbox should know (printed, not fatal). */
  notices: string[];
}

export async function sandboxConfig(config: BrokerConfig, options: SandboxOptions, municipalities: DemoMunicipality[], metadataDir: string): Promise<SandboxSetup> {
  if (isProduction(config.environment)) {
    throw new SandboxError(
      "refusing to start: the configuration says environment: production. The demo and sandbox use self-signed keys and fixed users; give them a demo configuration (config/demo, environment: demo), never a production one.",
    );
  }
  const notices: string[] = [];
  let baseUrl = config.baseUrl;
  if (options.baseUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new SandboxError(`--base-url ${options.baseUrl}: not a URL (e.g. http://sandbox.example:8080)`);
    }
    if (!/^https?:$/.test(url.protocol) || url.pathname !== "/" || url.search !== "") throw new SandboxError(`--base-url ${options.baseUrl}: an http(s) origin without path, e.g. http://sandbox.example:8080`);
    baseUrl = url.origin;
  }
  const host = options.host ?? config.host;
  const publicHost = new URL(baseUrl).hostname;
  if (host !== "127.0.0.1" && host !== "localhost" && ["127.0.0.1", "localhost"].includes(publicHost)) {
    notices.push(`listening on ${host}, but the URLs name ${publicHost}: other machines cannot follow them; give --base-url http://<this machine's name>:${config.port}`);
  }
  let next: BrokerConfig = { ...config, host, baseUrl };
  const taken = new Set([...next.serviceProviders.map((s) => s.id), ...next.oidcClients.map((c) => c.id)]);
  const sps: SandboxSp[] = [];
  for (const source of options.sp ?? []) {
    const sp = await sandboxServiceProvider(source, options, { metadataDir, taken, municipalities });
    taken.add(sp.config.id);
    sps.push(sp);
  }
  const oidcClients: SandboxOidcClient[] = [];
  for (const source of options.oidcClient ?? []) {
    const client = sandboxOidcClient(source, options, { taken, municipalities });
    taken.add(client.config.id);
    oidcClients.push(client);
  }
  // The catalogue gives the demo fagsystem's user-system roles: the vendor's fagsystemer accept them unless they name their own.
  const catalogueRoles = [...new Set(next.serviceProviders.find((s) => s.id === DEMO_FAGSYSTEM_ID)?.roleMappings.map((m) => m.userSystemRole) ?? [])];
  const withCatalogueRoles = <T extends { userSystemRoles: string[] }>(party: T): T => (party.userSystemRoles.length > 0 ? party : { ...party, userSystemRoles: catalogueRoles });
  next = {
    ...next,
    serviceProviders: [...next.serviceProviders, ...sps.map((s) => withCatalogueRoles(s.config))],
    oidcClients: [...next.oidcClients, ...oidcClients.map((c) => withCatalogueRoles(c.config))],
    attributeServices: asForDemoFagsystem(next.attributeServices, [...sps.map((s) => s.config.id), ...oidcClients.map((c) => c.config.id)]),
  };
  return { config: next, publicHost, sps, oidcClients, notices };
}

/**
 * The demo's role catalogues (Sky Kommune's) know the demo fagsystem only: they answer for the vendor's
 * fagsystemer as for it, so the catalogue's users get in there too, with the demo fagsystem's user-system roles.
 */
function asForDemoFagsystem(services: BrokerConfig["attributeServices"], ids: string[]): BrokerConfig["attributeServices"] {
  return services.map((service) => {
    const system = service.systems[DEMO_FAGSYSTEM_ID];
    return system === undefined ? service : { ...service, systems: { ...service.systems, ...Object.fromEntries(ids.map((id) => [id, system])) } };
  });
}
