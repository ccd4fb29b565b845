/**
 * Throwaway Sentinel and Cluster set-ups from the same redis-server binary,
 * the smallest that exercise the client's own support: one master watched by
 * one sentinel, and a one-node cluster holding every slot.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "redis";
import { startOwnedRedis, waitFor, type OwnedRedis } from "../../scripts/lib/redis-server.js";

export const SENTINEL_MASTER_NAME = "broker-test";

export interface SentinelSetup {
  master: OwnedRedis;
  sentinel: OwnedRedis;
  stop(): Promise<void>;
}

export async function startSentinelSetup(): Promise<SentinelSetup> {
  const master = await startOwnedRedis();
  const dir = mkdtempSync(join(tmpdir(), "redis-sentinel-"));
  const sentinel = await startOwnedRedis({
    configFile: (port) => {
      const file = join(dir, `sentinel-${port}.conf`);
      // A sentinel rewrites its config file, so it gets one of its own.
      writeFileSync(file, `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${master.port} 1\nsentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000\n`);
      return file;
    },
    extraArgs: () => ["--sentinel"],
  });
  return {
    master,
    sentinel,
    async stop() {
      await sentinel.stop();
      await master.stop();
    },
  };
}

export async function startClusterNode(): Promise<OwnedRedis> {
  const dir = mkdtempSync(join(tmpdir(), "redis-cluster-"));
  const node = await startOwnedRedis({
    extraArgs: (port) => ["--cluster-enabled", "yes", "--cluster-config-file", join(dir, `nodes-${port}.conf`), "--cluster-announce-ip", "127.0.0.1"],
  });
  const admin = createClient({ url: node.url });
  admin.on("error", () => {});
  await admin.connect();
  try {
    await admin.sendCommand(["CLUSTER", "ADDSLOTSRANGE", "0", "16383"]);
    await waitFor("the one-node cluster to be ok", async () => String(await admin.sendCommand(["CLUSTER", "INFO"])).includes("cluster_state:ok"), 10_000, 100);
  } finally {
    await admin.close();
  }
  return node;
}
