/**
 * Small helpers the demo parties share: listen (on loopback unless the
 * sandbox is opened to the network), close, write a file with its folder.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";

export interface DemoNetwork {
  /** The address the demo parties listen on (127.0.0.1; 0.0.0.0 for every interface). */
  bindHost: string;
  /** The host name browsers and other machines reach them by (in their URLs and metadata). */
  publicHost: string;
}

const network: DemoNetwork = { bindHost: "127.0.0.1", publicHost: "127.0.0.1" };

/** Where the demo parties listen and how they are reached; set once, before the demo starts (`--host`, `--base-url`). */
export function setDemoNetwork(next: DemoNetwork): void {
  network.bindHost = next.bindHost;
  network.publicHost = next.publicHost;
}

/** Listens (port 0: any free port) and says where, by the public host name. */
export async function listenOn(port: number): Promise<{ server: Server; url: string }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, network.bindHost, () => resolve());
  });
  return { server, url: `http://${network.publicHost}:${(server.address() as AddressInfo).port}` };
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export function writeFileAndFolder(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}
