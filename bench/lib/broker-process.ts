/**
 * One broker process for the benchmark: `serve --config DIR` as in
 * production (same config loading, same HTTP server), plus an IPC channel
 * through which the orchestrator reads CPU time, memory and the per-login
 * step timings the broker reports through its `onLoginTimings` hook.
 *
 * Argument: the configuration folder.
 */
import { PerformanceObserver, monitorEventLoopDelay } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { loadConfig } from "../../src/config/load-config.js";
import { buildBroker } from "../../src/build-broker.js";
import { serveBroker } from "../../src/serve.js";
import { LOGIN_PHASES, type LoginTimings } from "../../src/observability/login-timings.js";
import { serveChild } from "./processes.js";
import type { BrokerStats, BrokerReady } from "./broker-stats.js";

serveChild(async () => {
  const configDir = process.argv[2];
  if (!configDir) throw new Error("usage: broker-process CONFIG_DIR");
  const zero = (): LoginTimings => Object.fromEntries([...LOGIN_PHASES, "total"].map((phase) => [phase, 0])) as LoginTimings;
  let logins = 0;
  let sums = zero();
  // Garbage-collection pauses, to tell the broker's own latency tail from the machine's.
  let gc = { pauses: 0, totalMs: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.pauses += 1;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
    }
  }).observe({ entryTypes: ["gc"] });
  const onLoginTimings = (timings: LoginTimings) => {
    logins += 1;
    for (const phase of [...LOGIN_PHASES, "total"] as const) sums[phase] += timings[phase];
  };
  const config = loadConfig(configDir, {});
  const broker = await buildBroker(config, { onLoginTimings });
  const running = await serveBroker(broker);
  const stats = (reset: boolean): BrokerStats => {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const out: BrokerStats = {
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssMb: memory.rss / 1048576,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      heapUsedMb: memory.heapUsed / 1048576,
      heapTotalMb: memory.heapTotal / 1048576,
      externalMb: (memory.external + memory.arrayBuffers) / 1048576,
      logins,
      phaseSumsMs: { ...sums },
      gc: { ...gc },
    };
    if (reset) {
      logins = 0;
      sums = zero();
      gc = { pauses: 0, totalMs: 0, maxMs: 0 };
    }
    return out;
  };
  // The soak's samples: memory after full collections, and the event loop's delay since the last sample.
  setFlagsFromString("--expose-gc");
  const collectGarbage = runInNewContext("gc") as () => void;
  // Sampled every millisecond: the delays reported are the loop being late, to within 1 ms.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const sample = () => {
    collectGarbage();
    collectGarbage();
    const memory = process.memoryUsage();
    const out = {
      heapAfterGcMb: memory.heapUsed / 1048576,
      rssMb: memory.rss / 1048576,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      loopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    };
    loopDelay.reset();
    return out;
  };
  const ready: BrokerReady = { url: running.url, pid: process.pid };
  return {
    ready,
    handlers: {
      stats: (params: { reset: boolean } | null) => stats(params?.reset ?? false),
      sample: () => sample(),
      // Part 7: the operator's key rollover, as SIGUSR2 does it.
      rollover: () => broker.rolloverSigning?.() ?? false,
    },
    stop: () => running.stop(),
  };
});
