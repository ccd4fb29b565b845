/**
 * The demo SEB (config/demo/seb.yaml): the health sector's broker as a
 * downstream SAML service provider registered with the SEB attribute
 * profile. Its page shows what SEB received: the OIOSAML 2 style attributes
 * with the user's CPR number. Reachable from the demo fagsystem's page.
 */
import type { BrokerConfig } from "../config/schema.js";
import type { IdpMetadata } from "../saml/metadata-reader.js";
import { ensureKeyMaterial } from "../keys/key-material.js";
import { CONTENT_ENCRYPTION, KEY_TRANSPORT } from "../saml/algorithms.js";
import { html } from "../http/html.js";
import { closeServer, listenOn, writeFileAndFolder } from "./demo-servers.js";
import { spMetadataXml } from "./demo-metadata.js";
import { createDemoSp } from "./demo-sp.js";

export const DEMO_SEB_ID = "seb";

const SEB_INTRO = html`<p>Sundhedsvæsenets Elektroniske Brugerstyring: kommunale brugere når sundhedssystemer (FUT, FMK) med deres eget login. / The health sector's broker: municipal users reach health systems (FUT, FMK) with their own login.</p>
<p><a href="/login"><button>Log ind til SEB / Log in to SEB</button></a></p>
<p class="muted">SEB får brugerens CPR-nummer (kun SEB). Demo Kommunes IdP sender det; Sky Kommunes (Entra-lignende) gør ikke, så Sofie bliver afvist; Karen (Vest Kommune) skal desuden igennem MitID for at nå NSIS Substantial. / SEB receives the user's CPR number (only SEB does). Demo Kommune's IdP sends it; Sky Kommune's (Entra-like) does not, so Sofie is refused; Karen (Vest Kommune) also steps up through MitID to reach NSIS Substantial.</p>`;

export interface RunningSebDemo {
  url: string;
  /** Called once the broker publishes its metadata. */
  attach(broker: () => IdpMetadata): void;
  stop(): Promise<void>;
}

/** Starts the demo SEB when the configuration registers it; undefined otherwise. Its metadata is written before the broker starts. */
export async function startSebDemo(config: BrokerConfig, port: number | undefined, keyDir: string): Promise<RunningSebDemo | undefined> {
  const registered = config.serviceProviders.find((sp) => sp.id === DEMO_SEB_ID);
  if (!registered) return undefined;
  const bits = config.keys.bits;
  const signing = await ensureKeyMaterial(`${keyDir}/demo-seb-signing.key.pem`, `${keyDir}/demo-seb-signing.cert.pem`, "Demo SEB signing", bits);
  const encryption = await ensureKeyMaterial(`${keyDir}/demo-seb-encryption.key.pem`, `${keyDir}/demo-seb-encryption.cert.pem`, "Demo SEB encryption", bits);
  const { server, url } = await listenOn(port ?? 0);
  const entityId = `${url}/sp`;
  writeFileAndFolder(
    registered.metadata,
    spMetadataXml({ entityId, signing, encryption, encryptionMethods: [CONTENT_ENCRYPTION.aes256gcm, KEY_TRANSPORT.rsaOaep], acsUrls: [`${url}/acs`], sloUrl: `${url}/slo` }),
  );
  return {
    url,
    attach(broker) {
      server.on("request", createDemoSp({ entityId, baseUrl: url, signing, encryption, broker, title: "Demo SEB", intro: SEB_INTRO }));
    },
    stop: () => closeServer(server),
  };
}
