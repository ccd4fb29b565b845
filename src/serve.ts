/** Runs the broker's HTTP server with graceful shutdown. */
import { createServer, type Server } from "node:http";
import type { BrokerContext } from "./broker-context.js";
import { createApp } from "./http/app.js";

export interface RunningBroker {
  server: Server;
  url: string;
  stop(): Promise<void>;
}

export async function serveBroker(broker: BrokerContext): Promise<RunningBroker> {
  const { app } = createApp(broker);
  const { requestTimeoutSeconds, headersTimeoutSeconds } = broker.config.limits;
  const server = createServer(
    // Incomplete requests are checked every second, so the timeouts hold to the second.
    { requestTimeout: requestTimeoutSeconds * 1000, headersTimeout: Math.min(headersTimeoutSeconds, requestTimeoutSeconds) * 1000, connectionsCheckingInterval: 1000 },
    app,
  );
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(broker.config.port, broker.config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : broker.config.port;
  broker.log.info({ event: "broker_started", port, entityId: broker.config.entityId, idps: broker.registry.identityProviders().length, sps: broker.registry.serviceProviders().length }, "broker listening");
  broker.metadataRefresh?.start();
  let stopping: Promise<void> | undefined;
  return {
    server,
    url: `http://${broker.config.host}:${port}`,
    stop() {
      stopping ??= (async () => {
        broker.metadataRefresh?.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await closed;
        await broker.store.close();
        broker.log.info({ event: "broker_stopped" }, "broker stopped");
      })();
      return stopping;
    },
  };
}
