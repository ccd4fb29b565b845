/**
 * Brings up the whole interop world on loopback, under one temporary folder, with fresh keys:
 *
 *   Shibboleth SP 3 (fagsystem)  <->  broker  <->  SimpleSAMLphp 1.19 IdP (municipality)
 *
 * Metadata travels the way it does in production: each party publishes it, and the others register the
 * published document (the broker through its configuration folder, SimpleSAMLphp through its metadata
 * folder, shibd through its metadata folder with the broker's signing certificate pinned).
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BrokerUnderTest } from "./broker.js";
import { ProcessGroups } from "./processes.js";
import { ShibbolethSp } from "./shibboleth.js";
import { SimpleSamlPhpIdp, type SimpleSamlPhpUser } from "./simplesamlphp.js";
import { freePorts } from "./util.js";

export const MUNICIPALITY = { id: "interop-kommune", displayName: "Interop Kommune", cvr: "29189846", name: "Interop Kommune (broker register)" };
export const FAGSYSTEM = { id: "shibboleth-fagsystem", displayName: "Shibboleth fagsystem" };

/**
 * OIO-BPP as a municipal IdP sends it to the Context Handler: itst.dk namespace, unqualified children, a
 * job-function role with the person's KLE areas as a parametric constraint, and a role that has no mapping
 * for the fagsystem.
 */
export const PRIVILEGES_XML =
  '<?xml version="1.0" encoding="UTF-8"?><bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile">' +
  `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${MUNICIPALITY.cvr}">` +
  "<Privilege>http://interop-kommune.dk/roles/jobrole/sagsbehandler/1</Privilege>" +
  '<Constraint Name="http://sts.kombit.dk/constraints/KLE/1/parametric">27.*,29.03.*</Constraint>' +
  "</PrivilegeGroup>" +
  `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${MUNICIPALITY.cvr}">` +
  "<Privilege>http://interop-kommune.dk/roles/jobrole/kantine/1</Privilege>" +
  "</PrivilegeGroup></bpp:PrivilegeList>";

/** What the fagsystem receives: the job-function role translated into its user-system role (digst.dk namespace). */
export const TRANSLATED_PRIVILEGES_XML =
  '<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">' +
  `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${MUNICIPALITY.cvr}">` +
  "<Privilege>http://shibboleth-fagsystem.example/roles/usersystemrole/sagsbehandling/1</Privilege>" +
  '<Constraint Name="http://sts.kombit.dk/constraints/KLE/1">27.*</Constraint>' +
  '<Constraint Name="http://sts.kombit.dk/constraints/KLE/1">29.03.*</Constraint>' +
  "</PrivilegeGroup></bpp:PrivilegeList>";
export const TRANSLATED_PRIVILEGES_BASE64 = Buffer.from(TRANSLATED_PRIVILEGES_XML, "utf8").toString("base64");

export const TEST_USER: SimpleSamlPhpUser = {
  username: "testbruger",
  password: "correct-horse-battery-staple",
  cvr: MUNICIPALITY.cvr,
  uuid: "6a5b1b7e-5f2c-4d3e-9c1a-2b7d8e9f0a1b",
  email: "testbruger@interop-kommune.example",
  privilegesBase64: Buffer.from(PRIVILEGES_XML, "utf8").toString("base64"),
};

/**
 * How the broker registers the Shibboleth SP. No encryption setting: the broker takes OIOSAML 3's
 * algorithms (aes256-gcm, xmlenc11 rsa-oaep with SHA-256 and MGF1-SHA-256) from the EncryptionMethod list in
 * shibd's metadata, and Shibboleth SP 3.4 (XML-Security-C 2.0) decrypts them.
 */
export const SHIBBOLETH_REGISTRATION = {
  requiredLevel: { nsis: "Substantial" },
  roleMappings: [
    {
      jobFunctionRole: "http://interop-kommune.dk/roles/jobrole/sagsbehandler/1",
      userSystemRole: "http://shibboleth-fagsystem.example/roles/usersystemrole/sagsbehandling/1",
      restrictions: [{ type: "http://sts.kombit.dk/constraints/KLE/1", parametric: "http://sts.kombit.dk/constraints/KLE/1/parametric" }],
    },
  ],
  nameIdFormat: "persistent",
  requireSignedRequests: true,
  encryptAssertions: true,
  signResponse: false,
};

/**
 * The registration for SPs built on xmlsec1 1.2 (pysaml2, Lasso) or node-saml, which cannot unwrap xmlenc11
 * rsa-oaep: the per-SP `encryption` setting overrides what the metadata lists. Scenario B verifies the
 * broker's assertion with exactly such tools, so the login it inspects uses this registration.
 */
export const XMLSEC1_COMPATIBLE_REGISTRATION = {
  ...SHIBBOLETH_REGISTRATION,
  encryption: { content: "aes256-gcm", keyTransport: "rsa-oaep-mgf1p" },
};

export interface InteropEnvironment {
  root: string;
  broker: BrokerUnderTest;
  idp: SimpleSamlPhpIdp;
  sp: ShibbolethSp;
  /** The broker's metadata documents as the peers received them. */
  published: { brokerAsSp: string; brokerAsIdp: string; brokerAsIdpPath: string };
  /** The tail of every peer's own log (what is new since the previous call), to diagnose a failure from CI output alone. */
  peerLogs(lines?: number): string;
  stop(): Promise<void>;
}

export interface EnvironmentOptions {
  /** Overrides of the Shibboleth SP's registration at the broker. */
  spRegistration?: Record<string, unknown>;
  /** Keep the temporary folder after stop (INTEROP_KEEP=1). */
  keep?: boolean;
}

export async function startInteropEnvironment(options: EnvironmentOptions = {}): Promise<InteropEnvironment> {
  const root = mkdtempSync(join(tmpdir(), "broker-interop-"));
  // apache2's children run as www-data and must traverse to the Shibboleth SP's document root
  chmodSync(root, 0o755);
  const [brokerPort, idpPort, spPort] = await freePorts(3);
  const processes = new ProcessGroups();
  const idp = new SimpleSamlPhpIdp(join(root, "simplesamlphp"), idpPort!, processes);
  const sp = new ShibbolethSp(join(root, "shibboleth"), spPort!, processes);
  const broker = new BrokerUnderTest(join(root, "broker"), brokerPort!);
  const published = { brokerAsSp: "", brokerAsIdp: "", brokerAsIdpPath: "" };

  // how many lines of each log the previous dump covered: a later failure shows only what came after
  const shownUpTo = new Map<string, number>();
  const peerLogs = (lines = 120) => {
    const sections: string[] = [];
    for (const [name, path] of Object.entries({ ...sp.logFiles, ...idp.logFiles, ...broker.logFiles })) {
      if (!existsSync(path)) continue;
      const content = readFileSync(path, "utf8").trimEnd();
      if (content === "") continue;
      const all = content.split("\n");
      const fresh = all.slice(shownUpTo.get(path) ?? 0);
      shownUpTo.set(path, all.length);
      if (fresh.length === 0) continue;
      // shibd logs each decrypted assertion on one line: keep lines readable
      const shown = fresh.slice(-lines).map((line) => (line.length > 1500 ? `${line.slice(0, 1500)} [... ${line.length - 1500} more characters]` : line));
      const note = all.length > fresh.length ? ", new since the previous dump" : "";
      sections.push(`===== ${name} (${path})${note}${fresh.length > shown.length ? `, last ${shown.length} of ${fresh.length} lines` : ""}\n${shown.join("\n")}`);
    }
    return sections.length > 0 ? sections.join("\n") : "(no new log lines since the previous dump)";
  };
  const stop = async () => {
    await processes.stopAll();
    await broker.stop();
    if (!options.keep) rmSync(root, { recursive: true, force: true });
  };

  try {
    // 1. the municipal IdP publishes its metadata
    await idp.configure(TEST_USER);
    await idp.start();
    const idpMetadata = await idp.metadata();

    // 2. the fagsystem publishes its metadata (shibd generates it; it is started once just for that)
    await sp.configure(broker.entityId);
    await sp.start();
    const spMetadata = await sp.metadata();
    await sp.stop();
    sp.archiveLogs("metadata-export");

    // 3. the operator registers both at the broker, which creates its keys on first start
    broker.configure({
      organisation: { cvr: MUNICIPALITY.cvr, name: MUNICIPALITY.name },
      idp: {
        id: MUNICIPALITY.id,
        displayName: MUNICIPALITY.displayName,
        metadataXml: idpMetadata,
        cvrs: [MUNICIPALITY.cvr],
        extra: { sendScoping: true, requireSignedAssertion: true, requireEncryptedAssertion: true },
      },
      sp: { id: FAGSYSTEM.id, displayName: FAGSYSTEM.displayName, metadataXml: spMetadata, extra: { ...SHIBBOLETH_REGISTRATION, ...options.spRegistration } },
    });
    await broker.start();

    // 4. the municipality and the fagsystem import the broker's published metadata
    published.brokerAsSp = await broker.spMetadata();
    published.brokerAsIdp = await broker.idpMetadata();
    idp.trustServiceProvider("context-broker", published.brokerAsSp);
    published.brokerAsIdpPath = sp.trustIdentityProvider("context-broker", published.brokerAsIdp);
    await sp.configure(broker.entityId, readFileSync(broker.signingCertPath, "utf8"));
    await sp.start();
  } catch (error) {
    const logs = peerLogs();
    await stop();
    throw new Error(`${(error as Error).message}\n\nPeer logs:\n${logs}`, { cause: error });
  }
  return { root, broker, idp, sp, published, peerLogs, stop };
}
