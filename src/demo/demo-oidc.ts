/**
 * Starts the demo OIDC fagsystem when the demo configuration registers it
 * (config/demo/oidc.yaml), on its own port; its registration is rewritten to
 * that port, so tests can run it on any free port.
 */
import type { BrokerConfig } from "../config/schema.js";
import { closeServer, listenOn } from "./demo-servers.js";
import { createDemoOidcRp } from "./demo-oidc-rp.js";

export const DEMO_OIDC_CLIENT_ID = "demo-oidc-fagsystem";

export interface RunningOidcDemo {
  config: BrokerConfig;
  url: string;
  stop(): Promise<void>;
}

function onOrigin(url: string, origin: string): string {
  const parsed = new URL(url);
  return `${origin}${parsed.pathname}${parsed.search}`;
}

export async function startOidcDemo(config: BrokerConfig, port: number | undefined): Promise<RunningOidcDemo | undefined> {
  const registered = config.oidcClients.find((c) => c.id === DEMO_OIDC_CLIENT_ID);
  if (!registered) return undefined;
  const { server, url } = await listenOn(port ?? 0);
  const client = {
    ...registered,
    redirectUris: registered.redirectUris.map((u) => onOrigin(u, url)),
    postLogoutRedirectUris: registered.postLogoutRedirectUris.map((u) => onOrigin(u, url)),
    backchannelLogoutUri: registered.backchannelLogoutUri && onOrigin(registered.backchannelLogoutUri, url),
    jwksUri: registered.jwksUri && onOrigin(registered.jwksUri, url),
  };
  server.on("request", await createDemoOidcRp({ clientId: registered.clientId, baseUrl: url, issuer: `${config.baseUrl.replace(/\/+$/, "")}/oidc` }));
  return {
    config: { ...config, oidcClients: config.oidcClients.map((c) => (c.id === registered.id ? client : c)) },
    url,
    stop: () => closeServer(server),
  };
}
