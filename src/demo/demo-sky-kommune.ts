/**
 * Starts the demo's Entra-like municipality when the configuration registers
 * it (config/demo/sky-kommune.yaml): its role catalogue (REST attribute
 * service) and its IdP, each on its own port, with the IdP's metadata written
 * where the configuration names it. Returns the configuration with the
 * catalogue's address set to where it really listens.
 */
import { closeServer, listenOn, writeFileAndFolder } from "./demo-servers.js";
import { randomBytes } from "node:crypto";
import type { BrokerConfig } from "../config/schema.js";
import { ensureKeyMaterial } from "../keys/key-material.js";
import type { SpMetadata } from "../saml/metadata-reader.js";
import { idpMetadataXml } from "./demo-metadata.js";
import { createDemoIdp } from "./demo-idp.js";
import type { DemoUser } from "./demo-users.js";
import { createDemoAttributeService, SKY_CVR, SKY_NAME, SKY_USERS, skyClaims } from "./demo-entra.js";

export const SKY_IDP_ID = "sky-kommune";

export interface SkyKommunePorts {
  /** 0 or undefined: any free port. */
  idp?: number | undefined;
  attributeService?: number | undefined;
}

export interface RunningSkyKommune {
  config: BrokerConfig;
  idpUrl: string;
  attributeServiceUrl: string;
  stop(): Promise<void>;
}

export async function startSkyKommune(
  config: BrokerConfig,
  ports: SkyKommunePorts,
  keyDir: string,
  broker: () => SpMetadata,
  users: () => DemoUser[] = () => SKY_USERS,
  municipality: { cvr: string; name: string } = { cvr: SKY_CVR, name: SKY_NAME },
): Promise<RunningSkyKommune | undefined> {
  const idpConfig = config.identityProviders.find((p) => p.id === SKY_IDP_ID);
  const serviceId = idpConfig?.privilegeSource.attributeService;
  const service = (config.attributeServices ?? []).find((s) => s.id === serviceId);
  if (!idpConfig || !service || service.kind !== "rest") return undefined;

  // The operator's part: the catalogue's API key in the environment variable the configuration names.
  const envName = service.apiKey?.env;
  const apiKey = (envName ? process.env[envName] : undefined) || randomBytes(24).toString("base64url");
  if (envName && !process.env[envName]) process.env[envName] = apiKey;

  const catalogue = await listenOn(ports.attributeService ?? 0);
  catalogue.server.on("request", createDemoAttributeService({ apiKey, users }));

  const idp = await listenOn(ports.idp ?? 0);
  const signing = await ensureKeyMaterial(`${keyDir}/demo-sky-idp-signing.key.pem`, `${keyDir}/demo-sky-idp-signing.cert.pem`, "Sky Kommune IdP signing", config.keys.bits);
  const entityId = `${idp.url}/idp`;
  writeFileAndFolder(idpConfig.metadata, idpMetadataXml({ entityId, signing, ssoUrl: `${idp.url}/sso`, sloUrl: `${idp.url}/slo` }));
  idp.server.on(
    "request",
    createDemoIdp({ entityId, baseUrl: idp.url, signing, broker, cvr: municipality.cvr, name: municipality.name, users, sendPrivileges: false, extraAttributes: skyClaims }),
  );

  return {
    config: { ...config, attributeServices: config.attributeServices.map((s) => (s.id === service.id ? { ...service, baseUrl: catalogue.url } : s)) },
    idpUrl: idp.url,
    attributeServiceUrl: catalogue.url,
    stop: async () => {
      await Promise.all([closeServer(idp.server), closeServer(catalogue.server)]);
    },
  };
}
