/** Runs the broker's HTTP server with graceful shutdown. */
import { createServer, type Server } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { BrokerContext } from "./broker-context.js";
import { createApp } from "./http/app.js";
import { Draining } from "./http/draining.js";
import { startProvisioningServer, type ProvisioningServer } from "./backends/user-store/provisioning-server.js";
import { UserRecordStore } from "./backends/user-store/user-records.js";

export interface RunningBroker {
  server: Server;
  url: string;
  /** The user store's provisioning listener (mutual TLS), when configured. */
  userStore: ProvisioningServer | undefined;
  /**
   * Stops: readiness turns 503 at once; after shutdown.drainDelaySeconds the
   * listener closes and requests in flight get shutdown.graceSeconds to
   * finish (then their connections are cut); the state store closes last.
   */
  stop(): Promise<void>;
  /** The longest stop() can take before the state store is closed, in milliseconds. */
  stopBoundMs: number;
}

export async function serveBroker(broker: BrokerContext): Promise<RunningBroker> {
  const draining = new Draining();
  const { app } = createApp(broker, draining);
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
  const userStoreConfig = broker.config.userStore;
  const userStore = userStoreConfig
    ? await startProvisioningServer(userStoreConfig, new UserRecordStore(broker.store, userStoreConfig.recordTtlSeconds), broker.log).catch(async (error: unknown) => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        throw error;
      })
    : undefined;
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : broker.config.port;
  broker.log.info({ event: "broker_started", port, entityId: broker.config.entityId, idps: broker.registry.identityProviders().length, sps: broker.registry.serviceProviders().length }, "broker listening");
  broker.metadataRefresh?.start();
  broker.certificateRecheck?.start();
  const { drainDelaySeconds, graceSeconds } = broker.config.shutdown;
  let stopping: Promise<void> | undefined;
  return {
    server,
    userStore,
    url: `http://${broker.config.host}:${port}`,
    stopBoundMs: (drainDelaySeconds + graceSeconds) * 1000,
    stop() {
      stopping ??= (async () => {
        broker.metadataRefresh?.stop();
        broker.certificateRecheck?.stop();
        broker.stopKeyWatch?.();
        draining.begin();
        broker.log.info({ event: "broker_stopping", drainDelaySeconds, graceSeconds }, "stopping: not ready, finishing requests in flight");
        if (drainDelaySeconds > 0) await sleep(drainDelaySeconds * 1000);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        const userStoreClosed = userStore?.close();
        server.closeIdleConnections();
        const grace = new AbortController();
        const finished = await Promise.race([
          closed.then(() => true),
          sleep(graceSeconds * 1000, false, { signal: grace.signal }).catch(() => false),
        ]);
        grace.abort();
        if (!finished) {
          broker.log.warn({ event: "requests_cut_off", graceSeconds }, "requests still in flight after the grace period: closing their connections");
          server.closeAllConnections();
          await closed;
        }
        await userStoreClosed;
        await broker.store.close();
        await broker.stopTracing?.();
        broker.log.info({ event: "broker_stopped" }, "broker stopped");
      })();
      return stopping;
    },
  };
}
