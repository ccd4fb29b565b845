/**
 * The demo (`npm start`) started for a test: the shipped demo configuration
 * with the broker, the demo IdPs and the demo fagsystem on free ports, keys
 * and metadata in a throwaway folder, logs silent unless a test asks for them.
 */
import type { DestinationStream } from "pino";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load-config.js";
import type { BrokerConfig } from "../../src/config/schema.js";
import { runDemo, type RunningDemo } from "../../src/demo/run-demo.js";
import type { DemoUsersSource } from "../../src/demo/demo-users-file.js";
import { freePort } from "../../scripts/lib/redis-server.js";

/** `count` distinct free ports (outside the ephemeral range, see freePort). */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}

export interface DemoInstance {
  demo: RunningDemo;
  brokerUrl: string;
  workDir: string;
  auditFile: string;
  stop(): Promise<void>;
}

export interface DemoInstanceOptions {
  /** Changes the demo configuration before start (e.g. more OIDC clients). */
  configure?: (config: BrokerConfig) => BrokerConfig | Promise<BrokerConfig>;
  /** The demo users file (default: the shipped config/demo-users/users.yaml). */
  users?: DemoUsersSource;
  /** The broker's log lines go here, at `logLevel` (default: no log, or TEST_LOG_LEVEL on stdout). */
  logDestination?: DestinationStream;
  logLevel?: BrokerConfig["log"]["level"];
}

export async function startDemoInstance(options: DemoInstanceOptions = {}): Promise<DemoInstance> {
  const workDir = mkdtempSync(join(tmpdir(), "broker-demo-"));
  const auditFile = join(workDir, "audit.jsonl");
  // Every party on a port chosen here, none on "any free port": a party given port 0 could otherwise land on the broker's.
  const [brokerPort = 0, idpPort = 0, spPort = 0, skyIdp, attributeService, vestIdp, nemlogin, oidcRp, nordOp, seb, fejlIdp] = await distinctFreePorts(11);
  const brokerUrl = `http://127.0.0.1:${brokerPort}`;
  const shipped = loadConfig("config/demo", {});
  const keyDir = join(workDir, "keys");
  const config: BrokerConfig = {
    ...shipped,
    baseUrl: brokerUrl,
    port: brokerPort,
    log: { level: options.logDestination ? (options.logLevel ?? "debug") : ((process.env["TEST_LOG_LEVEL"] as "silent" | undefined) ?? "silent") },
    keys: {
      ...shipped.keys,
      bits: 2048,
      signing: { key: join(keyDir, "broker-signing.key.pem"), cert: join(keyDir, "broker-signing.cert.pem") },
      encryption: { key: join(keyDir, "broker-encryption.key.pem"), cert: join(keyDir, "broker-encryption.cert.pem") },
    },
    audit: { ...shipped.audit, file: auditFile },
    identityProviders: shipped.identityProviders.map((p) => ({ ...p, metadata: join(workDir, "metadata", "idps", `${p.id}.xml`) })),
    serviceProviders: shipped.serviceProviders.map((p) => ({ ...p, metadata: join(workDir, "metadata", "sps", `${p.id}.xml`) })),
    nemlogin: shipped.nemlogin && { ...shipped.nemlogin, metadata: join(workDir, "metadata", "nemlogin.xml") },
  };
  const demo = await runDemo(options.configure ? await options.configure(config) : config, { idp: idpPort, sp: spPort, skyIdp, attributeService, vestIdp, nemlogin, oidcRp, nordOp, seb, fejlIdp }, keyDir, {
    logDestination: options.logDestination,
    ...(options.users ? { users: options.users } : {}),
  });
  return {
    demo,
    brokerUrl,
    workDir,
    auditFile,
    async stop() {
      await demo.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
