/**
 * One broker process and the demo parties (IdP and fagsystem) in their own
 * process, on loopback, for the parts that drive whole logins (4, 5, 6).
 */
import { BenchChild } from "./processes.js";
import { createSetup, type KeyBits, type PartyKeys } from "./parties.js";
import { freePort } from "./redis.js";
import { startBrokers, type Brokers } from "./hop.js";
import type { DemoPartiesArgs } from "./demo-parties-process.js";
import { DEMO_USERS } from "../../src/demo/demo-users.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";

export interface DemoWorldOptions {
  bits: KeyBits;
  keys: PartyKeys;
  nodeFlags: string[];
  logLevel?: "info" | "warn" | "silent";
  /** The broker's next keys (part 7, the key rollover). */
  nextKeys?: { signing: KeyMaterial; encryption: KeyMaterial };
}

export interface DemoWorld {
  brokers: Brokers;
  parties: BenchChild;
  brokerBase: string;
  spBase: string;
  /** A demo user who reaches NSIS Substantial. */
  user: string;
  stop(): Promise<void>;
}

export async function startDemoWorld(options: DemoWorldOptions): Promise<DemoWorld> {
  const [brokerPort, idpPort, spPort] = [await freePort(), await freePort(), await freePort()];
  const brokerBase = `http://127.0.0.1:${brokerPort}`;
  const idpBase = `http://127.0.0.1:${idpPort}`;
  const spBase = `http://127.0.0.1:${spPort}`;
  const setup = await createSetup({
    bits: options.bits,
    keys: options.keys,
    port: brokerPort,
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    ...(options.nextKeys ? { nextKeys: options.nextKeys } : {}),
    urls: { brokerBase, idpEntityId: `${idpBase}/idp`, idpSsoUrl: `${idpBase}/sso`, spEntityId: `${spBase}/sp`, spAcsUrl: `${spBase}/acs` },
  });
  const brokers = await startBrokers(setup, 1, options.nodeFlags);
  const stopBrokers = () => Promise.all(brokers.children.map((child) => child.stop()));
  try {
    const args: DemoPartiesArgs = {
      brokerBase,
      idpPort,
      spPort,
      idpEntityId: setup.urls.idpEntityId,
      spEntityId: setup.urls.spEntityId,
      keys: { idpSigning: setup.keyFiles.idpSigning, spSigning: setup.keyFiles.spSigning, spEncryption: setup.keyFiles.spEncryption },
    };
    const parties = await BenchChild.start("demo parties", "demo-parties-process.ts", [JSON.stringify(args)]);
    return {
      brokers,
      parties,
      brokerBase,
      spBase,
      user: DEMO_USERS.find((u) => u.nsis === "Substantial")?.username ?? "hanne",
      async stop() {
        await Promise.all([stopBrokers(), parties.stop()]);
      },
    };
  } catch (error) {
    await stopBrokers();
    throw error;
  }
}
