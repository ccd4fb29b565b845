/**
 * The demo's misconfigured municipality (config/demo/selfcheck-fejl-kommune.yaml), for
 * the IdP self-check to find something: its signing certificate expires in
 * FEJL_CERTIFICATE_DAYS days, its registration allows SHA-1, its privileges
 * are scoped to another municipality's CVR, it asserts no NSIS level, it
 * sends no KombitSpecVer, and it sends the email and CVR attributes with
 * NameFormat basic instead of uri.
 * Logins through it still verify: these are the mistakes a real IdP makes
 * while it still works.
 */
import type { BrokerConfig } from "../config/schema.js";
import type { SpMetadata } from "../saml/metadata-reader.js";
import { generateKeyPair } from "../keys/generate-key-pair.js";
import { keyMaterialFromPem } from "../keys/key-material.js";
import { closeServer, listenOn, writeFileAndFolder } from "./demo-servers.js";
import { idpMetadataXml } from "./demo-metadata.js";
import { createDemoIdp } from "./demo-idp.js";
import { DEMO_ROLES, NEIGHBOUR_CVR, type DemoUser } from "./demo-users.js";
import type { OutgoingAttribute } from "../saml/response-builder.js";
import { OIOSAML3 } from "../profiles/oiosaml3-attributes.js";
import { ATTRNAME_FORMAT_BASIC } from "../saml/namespaces.js";

export const FEJL_IDP_ID = "fejl-kommune";
export const FEJL_CERTIFICATE_DAYS = 20;

export const FEJL_USERS: DemoUser[] = [
  {
    username: "frede",
    fullName: "Frede Fejlsøe",
    firstName: "Frede",
    lastName: "Fejlsøe",
    email: "frede@fejl-kommune.dk",
    uuid: "5b1e7c2a-8d3f-4a6b-9c0d-1e2f3a4b5c6d",
    nsis: undefined,
    nist: 2,
    privileges: [{ privilege: DEMO_ROLES.caseworker, constraints: [], scopeCvr: NEIGHBOUR_CVR }],
  },
];

/** No KombitSpecVer; email and CVR with NameFormat basic (as an IdP set up for OIOSAML 2 sends them). */
export function fejlAttributes(attributes: OutgoingAttribute[]): OutgoingAttribute[] {
  return attributes
    .filter((a) => a.name !== OIOSAML3.kombitSpecVer)
    .map((a) => (a.name === OIOSAML3.email || a.name === OIOSAML3.cvr ? { ...a, nameFormat: ATTRNAME_FORMAT_BASIC } : a));
}

export interface RunningFejlKommune {
  url: string;
  stop(): Promise<void>;
}

export async function startFejlKommune(config: BrokerConfig, port: number | undefined, broker: () => SpMetadata): Promise<RunningFejlKommune | undefined> {
  const registered = config.identityProviders.find((p) => p.id === FEJL_IDP_ID);
  if (!registered) return undefined;
  // A fresh key each start, its certificate close to expiry (the first mistake).
  const generated = await generateKeyPair({ commonName: "Fejl Kommune IdP signing", bits: config.keys.bits, validDays: FEJL_CERTIFICATE_DAYS });
  const signing = keyMaterialFromPem(generated.privateKeyPem, generated.certificatePem);
  const idp = await listenOn(port ?? 0);
  const entityId = `${idp.url}/idp`;
  writeFileAndFolder(registered.metadata, idpMetadataXml({ entityId, signing, ssoUrl: `${idp.url}/sso`, sloUrl: `${idp.url}/slo` }));
  idp.server.on("request", createDemoIdp({ entityId, baseUrl: idp.url, signing, broker, cvr: registered.cvrs[0] ?? "", name: registered.displayName, users: FEJL_USERS, adjustAttributes: fejlAttributes }));
  return { url: idp.url, stop: () => closeServer(idp.server) };
}
