/**
 * The step-up demo (config/demo/step-up.yaml): Vest Kommune, whose IdP
 * reaches only NIST level 3, and a demo NemLog-in on its own port. The demo
 * fagsystem requires NSIS Substantial, so a Vest Kommune user goes on to
 * NemLog-in (MitID Erhverv) after the municipal login. Both parties get their
 * own keys and their metadata is written where the configuration names it.
 */
import { closeServer, listenOn, writeFileAndFolder } from "./demo-servers.js";
import type { BrokerConfig } from "../config/schema.js";
import { ensureKeyMaterial } from "../keys/key-material.js";
import type { SpMetadata } from "../saml/metadata-reader.js";
import { idpMetadataXml } from "./demo-metadata.js";
import { createDemoIdp } from "./demo-idp.js";
import { createDemoNemLogIn, type DemoMitIdIdentity } from "./demo-nemlogin.js";
import { shippedUsers, type DemoUser } from "./demo-users.js";

export const VEST_IDP_ID = "vest-kommune";
export const VEST_CVR = "44556677";
export const VEST_NAME = "Vest Kommune";

const KAREN_UUID = "3b7e9a52-1c4d-4f8a-9e2b-6d5c4b3a2f10";
const OLE_UUID = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a";

/** Vest Kommune's users as shipped (config/demo-users/users.yaml): a password-and-token login at the municipality proves NIST level 3, no NSIS level. */
export const VEST_USERS: DemoUser[] = shippedUsers(VEST_IDP_ID);

/** What the demo NemLog-in offers: Karen herself, Karen at too low a level, another person, Karen for another organisation. */
export const DEMO_MITID_IDENTITIES: DemoMitIdIdentity[] = [
  { key: "karen", label: "Karen Vestergaard (MitID Erhverv)", uuid: KAREN_UUID, cvr: VEST_CVR, orgName: VEST_NAME, fullName: "Karen Vestergaard", loa: "Substantial", cpr: "0611824478" },
  { key: "karen-low", label: "Karen Vestergaard, kun lavt niveau / low level only", uuid: KAREN_UUID, cvr: VEST_CVR, orgName: VEST_NAME, fullName: "Karen Vestergaard", loa: "Low" },
  { key: "ole", label: "Ole Olsen (en anden medarbejder / another employee)", uuid: OLE_UUID, cvr: VEST_CVR, orgName: VEST_NAME, fullName: "Ole Olsen", loa: "Substantial", cpr: "1203715531" },
  { key: "karen-other-org", label: "Karen Vestergaard for Vestergaard ApS (andet CVR / other CVR)", uuid: KAREN_UUID, cvr: "87654321", orgName: "Vestergaard ApS", fullName: "Karen Vestergaard", loa: "Substantial" },
];

export interface StepUpDemoPorts {
  /** 0 or undefined: any free port. */
  idp?: number | undefined;
  nemlogin?: number | undefined;
}

export interface RunningStepUpDemo {
  idpUrl: string;
  nemLogInUrl: string;
  stop(): Promise<void>;
}

/** Starts Vest Kommune's IdP and the demo NemLog-in when the configuration registers them; undefined otherwise. */
export async function startStepUpDemo(
  config: BrokerConfig,
  ports: StepUpDemoPorts,
  keyDir: string,
  broker: () => SpMetadata,
  users: () => DemoUser[] = () => VEST_USERS,
  municipality: { cvr: string; name: string } = { cvr: VEST_CVR, name: VEST_NAME },
): Promise<RunningStepUpDemo | undefined> {
  const idpConfig = config.identityProviders.find((p) => p.id === VEST_IDP_ID);
  const nemlogin = config.nemlogin;
  if (!idpConfig || !nemlogin) return undefined;
  const bits = config.keys.bits;

  const idp = await listenOn(ports.idp ?? 0);
  const idpSigning = await ensureKeyMaterial(`${keyDir}/demo-vest-idp-signing.key.pem`, `${keyDir}/demo-vest-idp-signing.cert.pem`, "Vest Kommune IdP signing", bits);
  const idpEntityId = `${idp.url}/idp`;
  writeFileAndFolder(idpConfig.metadata, idpMetadataXml({ entityId: idpEntityId, signing: idpSigning, ssoUrl: `${idp.url}/sso`, sloUrl: `${idp.url}/slo` }));
  idp.server.on("request", createDemoIdp({ entityId: idpEntityId, baseUrl: idp.url, signing: idpSigning, broker, cvr: municipality.cvr, name: municipality.name, users }));

  // NemLog-in is known by the entityID in the configuration; its metadata says where it listens.
  const mitid = await listenOn(ports.nemlogin ?? 0);
  const nemloginSigning = await ensureKeyMaterial(`${keyDir}/demo-nemlogin-signing.key.pem`, `${keyDir}/demo-nemlogin-signing.cert.pem`, "Demo NemLog-in signing", bits);
  writeFileAndFolder(nemlogin.metadata, idpMetadataXml({ entityId: nemlogin.entityId, signing: nemloginSigning, ssoUrl: `${mitid.url}/sso`, sloUrl: `${mitid.url}/slo` }));
  mitid.server.on("request", createDemoNemLogIn({ entityId: nemlogin.entityId, baseUrl: mitid.url, signing: nemloginSigning, broker, identities: DEMO_MITID_IDENTITIES }));

  return {
    idpUrl: idp.url,
    nemLogInUrl: mitid.url,
    stop: async () => {
      await Promise.all([closeServer(idp.server), closeServer(mitid.server)]);
    },
  };
}
