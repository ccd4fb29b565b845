/**
 * The demo municipal IdP and the demo fagsystem (src/demo) as separate
 * parties in their own process, importing the broker's published metadata
 * as real parties do. Argument: JSON of DemoPartiesArgs.
 */
import { createServer, type Server } from "node:http";
import { loadKeyMaterial } from "../../src/keys/key-material.js";
import { readIdpMetadata, readSpMetadata } from "../../src/saml/metadata-reader.js";
import { createDemoIdp } from "../../src/demo/demo-idp.js";
import { createDemoSp } from "../../src/demo/demo-sp.js";
import { serveChild } from "./processes.js";
import { IDP_ID } from "./parties.js";

export interface DemoPartiesArgs {
  brokerBase: string;
  idpPort: number;
  spPort: number;
  idpEntityId: string;
  spEntityId: string;
  keys: { idpSigning: { key: string; cert: string }; spSigning: { key: string; cert: string }; spEncryption: { key: string; cert: string } };
}

function listen(app: Parameters<typeof createServer>[1], port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return response.text();
}

serveChild(async () => {
  const args = JSON.parse(process.argv[2] ?? "{}") as DemoPartiesArgs;
  const brokerAsSp = readSpMetadata(await fetchText(`${args.brokerBase}/saml/metadata/sp`));
  const brokerAsIdp = readIdpMetadata(await fetchText(`${args.brokerBase}/saml/metadata/idp`));
  const load = (pair: { key: string; cert: string }) => loadKeyMaterial(pair.key, pair.cert);
  const idp = await listen(
    createDemoIdp({ entityId: args.idpEntityId, baseUrl: `http://127.0.0.1:${args.idpPort}`, signing: load(args.keys.idpSigning), broker: () => brokerAsSp }),
    args.idpPort,
  );
  const sp = await listen(
    createDemoSp({
      entityId: args.spEntityId,
      baseUrl: `http://127.0.0.1:${args.spPort}`,
      signing: load(args.keys.spSigning),
      encryption: load(args.keys.spEncryption),
      broker: () => brokerAsIdp,
      municipalityHint: IDP_ID,
    }),
    args.spPort,
  );
  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    ready: { pid: process.pid },
    handlers: {
      stats: () => {
        const cpu = process.cpuUsage();
        return { cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024 };
      },
    },
    stop: async () => {
      await Promise.all([close(idp), close(sp)]);
    },
  };
});
