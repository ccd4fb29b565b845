/**
 * The broker under test, configured exactly as an operator would: a configuration folder with YAML files and
 * the parties' metadata files next to them, loaded by the real loader and served over real HTTP on loopback.
 * It runs in the test process; its JSON log goes to a file that is printed when a scenario fails.
 */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { stringify } from "yaml";
import { loadConfig } from "../../../src/config/load-config.js";
import { buildBroker } from "../../../src/build-broker.js";
import { serveBroker, type RunningBroker } from "../../../src/serve.js";
import type { BrokerConfig } from "../../../src/config/schema.js";
import { fetchText, waitForHttp, writeFile } from "./util.js";

export interface BrokerParties {
  organisation: { cvr: string; name: string };
  idp: { id: string; displayName: string; metadataXml: string; cvrs: string[]; extra?: Record<string, unknown> };
  sp: { id: string; displayName: string; metadataXml: string; extra?: Record<string, unknown> };
}

export class BrokerUnderTest {
  readonly baseUrl: string;
  readonly entityId = "https://saml.broker.interop.test";
  readonly configDir: string;
  readonly signingCertPath: string;
  readonly logFiles: Record<string, string>;
  private running: RunningBroker | undefined;
  private log: { end(): void } | undefined;
  config: BrokerConfig | undefined;
  private parties: BrokerParties | undefined;

  constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.configDir = join(dir, "broker-config");
    this.signingCertPath = join(dir, "keys", "broker-signing.cert.pem");
    this.logFiles = { "broker log": join(dir, "broker.log") };
  }

  /** Writes broker.yaml and parties.yaml plus the parties' metadata files, as `serve --config` reads them. */
  configure(parties: BrokerParties): void {
    this.parties = parties;
    mkdirSync(this.configDir, { recursive: true });
    const idpMetadata = writeFile(join(this.configDir, "metadata", "idps", `${parties.idp.id}.xml`), parties.idp.metadataXml);
    const spMetadata = writeFile(join(this.configDir, "metadata", "sps", `${parties.sp.id}.xml`), parties.sp.metadataXml);
    writeFile(
      join(this.configDir, "broker.yaml"),
      stringify({
        baseUrl: this.baseUrl,
        entityId: this.entityId,
        host: "127.0.0.1",
        port: this.port,
        cookieSecret: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex"),
        keys: {
          signing: { key: join(this.dir, "keys", "broker-signing.key.pem"), cert: this.signingCertPath },
          encryption: { key: join(this.dir, "keys", "broker-encryption.key.pem"), cert: join(this.dir, "keys", "broker-encryption.cert.pem") },
          generateIfMissing: true,
          bits: 2048,
        },
        log: { level: "debug" },
        organisations: [parties.organisation],
      }),
    );
    writeFile(
      join(this.configDir, "parties.yaml"),
      stringify({
        identityProviders: [{ id: parties.idp.id, displayName: parties.idp.displayName, metadata: idpMetadata, cvrs: parties.idp.cvrs, ...parties.idp.extra }],
        serviceProviders: [{ id: parties.sp.id, displayName: parties.sp.displayName, metadata: spMetadata, ...parties.sp.extra }],
      }),
    );
  }

  async start(): Promise<void> {
    const config = loadConfig(this.configDir, {});
    this.config = config;
    const fd = openSync(this.logFiles["broker log"]!, "a");
    const destination = pino.destination({ fd, sync: true });
    this.log = destination;
    try {
      this.running = await serveBroker(await buildBroker(config, { logDestination: destination }));
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    await waitForHttp(`${this.baseUrl}/health/ready`, 10_000);
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (running) {
      running.server.closeAllConnections();
      await running.stop();
    }
    this.log?.end();
    this.log = undefined;
  }

  /** Changes the fagsystem's registration and restarts the broker, as an operator does (keys are kept). */
  async reregisterServiceProvider(extra: Record<string, unknown>): Promise<void> {
    if (!this.parties) throw new Error("the broker has not been configured");
    await this.stop();
    this.configure({ ...this.parties, sp: { ...this.parties.sp, extra } });
    await this.start();
  }

  spMetadata(): Promise<string> {
    return fetchText(`${this.baseUrl}/saml/metadata/sp`);
  }

  idpMetadata(): Promise<string> {
    return fetchText(`${this.baseUrl}/saml/metadata/idp`);
  }
}
