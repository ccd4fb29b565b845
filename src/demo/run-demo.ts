/** `npm start`: the broker plus a demo municipal IdP and a demo fagsystem, all on this machine. */
import { closeServer, listenOn, writeFileAndFolder } from "./demo-servers.js";
import type { BrokerConfig } from "../config/schema.js";
import { ensureKeyMaterial } from "../keys/key-material.js";
import { idpMetadataXml, spMetadataXml } from "./demo-metadata.js";
import { buildBroker, type BuildOptions } from "../build-broker.js";
import { serveBroker, type RunningBroker } from "../serve.js";
import { readIdpMetadata, readSpMetadata, type IdpMetadata, type SpMetadata } from "../saml/metadata-reader.js";
import { createDemoIdp } from "./demo-idp.js";
import { createDemoSp } from "./demo-sp.js";
import { CONTENT_ENCRYPTION, KEY_TRANSPORT } from "../saml/algorithms.js";
import { startSkyKommune } from "./demo-sky-kommune.js";
import { startStepUpDemo } from "./demo-step-up.js";
import { startOidcDemo } from "./demo-oidc.js";
import { startNordKommune } from "./demo-nord-kommune.js";
import { startSebDemo } from "./demo-seb.js";
import { startFejlKommune } from "./demo-fejl-kommune.js";
import { DemoUsersSource, SHIPPED_USERS_FILE } from "./demo-users-file.js";

export interface DemoPorts {
  idp: number;
  sp: number;
  /** The Entra-like municipality's IdP and its role catalogue (attribute service); 0 or absent: any free port. */
  skyIdp?: number;
  attributeService?: number;
  /** The step-up demo: Vest Kommune's IdP (NIST only) and the demo NemLog-in; 0 or absent: any free port. */
  vestIdp?: number;
  nemlogin?: number;
  /** The demo OIDC fagsystem; 0 or absent: any free port. */
  oidcRp?: number;
  /** The Entra ID municipality's OpenID Provider; 0 or absent: any free port. */
  nordOp?: number;
  /** The demo SEB (the health sector's broker, SEB attribute profile); 0 or absent: any free port. */
  seb?: number;
  /** The misconfigured municipality's IdP (for the self-check); 0 or absent: any free port. */
  fejlIdp?: number;
}

export interface RunningDemo {
  broker: RunningBroker;
  idpUrl: string;
  spUrl: string;
  /** The demo OIDC fagsystem, when registered. */
  oidcRpUrl: string | undefined;
  /** The Entra ID municipality's OpenID Provider, when registered. */
  nordOpUrl: string | undefined;
  /** The demo SEB, when registered. */
  sebUrl: string | undefined;
  /** The misconfigured municipality's IdP, when registered. */
  fejlIdpUrl: string | undefined;
  stop(): Promise<void>;
}

export interface RunDemoOptions extends Pick<BuildOptions, "logDestination"> {
  /** The demo users file (default: config/demo-users/users.yaml as shipped), read again when it changes. */
  users?: DemoUsersSource;
}

/** `options`: where the broker writes its log (stdout when absent), the users file. */
export async function runDemo(config: BrokerConfig, ports: DemoPorts, keyDir = "var/demo/keys", options: RunDemoOptions = {}): Promise<RunningDemo> {
  const users = options.users ?? new DemoUsersSource(SHIPPED_USERS_FILE);
  const demoKommune = users.municipality("demo-kommune");
  const idpConfig = config.identityProviders.find((p) => p.id === "demo-kommune");
  const spConfig = config.serviceProviders.find((p) => p.id === "demo-fagsystem");
  if (!idpConfig || !spConfig) throw new Error("the demo configuration must register demo-kommune and demo-fagsystem");
  const bits = config.keys.bits;
  const idpSigning = await ensureKeyMaterial(`${keyDir}/demo-idp-signing.key.pem`, `${keyDir}/demo-idp-signing.cert.pem`, "Demo Kommune IdP signing", bits);
  const spSigning = await ensureKeyMaterial(`${keyDir}/demo-sp-signing.key.pem`, `${keyDir}/demo-sp-signing.cert.pem`, "Demo fagsystem signing", bits);
  const spEncryption = await ensureKeyMaterial(`${keyDir}/demo-sp-encryption.key.pem`, `${keyDir}/demo-sp-encryption.cert.pem`, "Demo fagsystem encryption", bits);
  // The demo IdP's and fagsystem's ports are taken now, before the parties that listen on any free
  // port start: otherwise one of them could be given the same port (their handlers come later).
  const { server: idpServer, url: idpUrl } = await listenOn(ports.idp);
  const { server: spServer, url: spUrl } = await listenOn(ports.sp);
  try {
    checkUsersAgainstConfig(users, config);
    const idpEntityId = `${idpUrl}/idp`;
    const spEntityId = `${spUrl}/sp`;
    writeFileAndFolder(idpConfig.metadata, idpMetadataXml({ entityId: idpEntityId, signing: idpSigning, ssoUrl: `${idpUrl}/sso`, sloUrl: `${idpUrl}/slo` }));
    writeFileAndFolder(
      spConfig.metadata,
      spMetadataXml({
        entityId: spEntityId,
        signing: spSigning,
        encryption: spEncryption,
        encryptionMethods: [CONTENT_ENCRYPTION.aes256gcm, KEY_TRANSPORT.rsaOaep],
        acsUrls: [`${spUrl}/acs`],
        sloUrl: `${spUrl}/slo`,
      }),
    );

    // The Entra-like municipality (config/demo/sky-kommune.yaml), when registered: its IdP and its role catalogue.
    // The upstream demo parties start before the broker (it reads their metadata) and learn its metadata after.
    const published: { brokerAsSp?: SpMetadata } = {};
    const brokerMetadata = (): SpMetadata => {
      if (!published.brokerAsSp) throw new Error("the broker's metadata is not loaded yet");
      return published.brokerAsSp;
    };
    const sky = await startSkyKommune(config, { idp: ports.skyIdp, attributeService: ports.attributeService }, keyDir, brokerMetadata, () => users.users("sky-kommune"), users.municipality("sky-kommune"));
    // The step-up demo (config/demo/step-up.yaml), when registered: Vest Kommune's IdP and the demo NemLog-in.
    const stepUp = await startStepUpDemo(config, { idp: ports.vestIdp, nemlogin: ports.nemlogin }, keyDir, brokerMetadata, () => users.users("vest-kommune"), users.municipality("vest-kommune"));
    // The misconfigured municipality (config/demo/selfcheck-fejl-kommune.yaml), when registered: something for the self-check to find.
    const fejl = await startFejlKommune(config, ports.fejlIdp, brokerMetadata);
    const oidcRp = await startOidcDemo(sky?.config ?? config, ports.oidcRp);
    const nord = await startNordKommune(oidcRp?.config ?? sky?.config ?? config, ports.nordOp);
    const seb = await startSebDemo(config, ports.seb, keyDir);
    const broker = await serveBroker(await buildBroker(nord?.config ?? oidcRp?.config ?? sky?.config ?? config, options));
    // The demo parties import the broker's published metadata, as real parties do.
    const fetchText = async (url: string) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
      return response.text();
    };
    published.brokerAsSp = readSpMetadata(await fetchText(`${config.baseUrl}/saml/metadata/sp`));
    const brokerAsIdp: IdpMetadata = readIdpMetadata(await fetchText(`${config.baseUrl}/saml/metadata/idp`));
    idpServer.on(
      "request",
      createDemoIdp({
        entityId: idpEntityId,
        baseUrl: idpUrl,
        signing: idpSigning,
        broker: brokerMetadata,
        ...(demoKommune ? { cvr: demoKommune.cvr, name: demoKommune.name } : {}),
        users: () => users.users("demo-kommune"),
      }),
    );
    const links = seb ? [{ href: `${seb.url}/`, label: "SEB: sundhedssystemer (FUT, FMK) / health systems" }] : [];
    spServer.on("request", createDemoSp({ entityId: spEntityId, baseUrl: spUrl, signing: spSigning, encryption: spEncryption, broker: () => brokerAsIdp, links: () => links }));
    seb?.attach(() => brokerAsIdp);
    return {
      broker,
      idpUrl,
      spUrl,
      oidcRpUrl: oidcRp?.url,
      nordOpUrl: nord?.url,
      sebUrl: seb?.url,
      fejlIdpUrl: fejl?.url,
      async stop() {
        await Promise.all([closeServer(idpServer), closeServer(spServer), sky?.stop(), stepUp?.stop(), fejl?.stop(), oidcRp?.stop(), nord?.stop(), seb?.stop()]);
        await broker.stop();
      },
    };
  } catch (error) {
    await Promise.all([closeServer(idpServer), closeServer(spServer)]);
    throw error;
  }
}

/** Each municipality in the users file must be a registered demo IdP, and its CVR one that IdP may speak for. */
function checkUsersAgainstConfig(users: DemoUsersSource, config: BrokerConfig): void {
  for (const m of users.all()) {
    const idp = config.identityProviders.find((p) => p.id === m.idp);
    if (!idp) throw new Error(`${users.file}: municipality ${m.name} names idp ${m.idp}, which the configuration does not register (${config.identityProviders.map((p) => p.id).join(", ")})`);
    if (!idp.cvrs.includes(m.cvr)) throw new Error(`${users.file}: ${m.name}'s CVR ${m.cvr} is not among the CVRs IdP ${m.idp} is registered for (${idp.cvrs.join(", ")})`);
  }
}
