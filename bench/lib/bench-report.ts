/** The benchmark's results as Markdown tables (printed by `npm run bench`, pasted into docs/performance.md). */
import type { KeyBits } from "./parties.js";
import { percent, table } from "./report.js";
import { LOGIN_PHASES } from "../../src/observability/login-timings.js";
import { OIDC_LOGIN_STEPS, WHOLE_LOGIN_STEPS } from "./load-jobs.js";
import type { BenchResults } from "./bench-results.js";

const PHASE_LABELS: Record<(typeof LOGIN_PHASES)[number] | "total", string> = {
  parse: "parse (base64, XML)",
  store: "store (state, replay, SSO session)",
  decrypt: "decrypt (RSA-OAEP, AES-GCM, parse)",
  verify: "verify (c14n, digest, RSA verify)",
  map: "map (pipeline)",
  build: "build (assertion, Response, base64)",
  sign: "sign (c14n, digest, RSA sign)",
  encrypt: "encrypt (AES-GCM, RSA-OAEP)",
  total: "total inside the broker",
};

const STEP_LABELS: Record<(typeof WHOLE_LOGIN_STEPS)[number], string> = {
  spLogin: "fagsystem: AuthnRequest (sign)",
  brokerSso: "broker: SSO (verify, store, sign)",
  idpSso: "IdP: login page (verify)",
  idpLogin: "IdP: Response (sign, encrypt)",
  brokerAcs: "broker: ACS hop",
  spAcs: "fagsystem: ACS (decrypt, verify)",
};

/** The results as Markdown tables (printed by `npm run bench`, pasted into docs/performance.md). */
export function renderReport(results: BenchResults): string {
  const out: string[] = [];
  const m = results.machine;
  out.push(`Measured ${results.measuredAt} on ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}, OpenSSL ${m.openssl}.`);
  out.push(`Load average at start ${m.loadAverage.start.join(" / ")}, at end ${m.loadAverage.end.join(" / ")}. Run took ${results.durationSeconds} s.`);
  out.push(`Broker processes run with ${results.settings.brokerNodeFlags.length ? results.settings.brokerNodeFlags.join(" ") : "Node's default flags"}.`);
  const bitsList = Object.keys(results.ceilingDetail) as Array<`rsa${KeyBits}`>;
  if (bitsList.length > 0) {
    out.push("", "### 1. Cryptographic ceiling (private-key operations per login, one core)", "");
    out.push(
      table(
        ["key", "RSA-OAEP decrypt (ms)", "RSA-SHA256 sign (ms)", "logins/s/core"],
        bitsList.map((name) => {
          const c = results.ceilingDetail[name]!;
          return [name.toUpperCase(), c.decryptMs, c.signMs, c.loginsPerSecPerCore];
        }),
      ),
    );
  }
  const hopRows: Array<Array<string | number>> = [];
  for (const [group, label] of [[results.hop, "memory"], [results.hopRedis, "Redis"]] as const) {
    for (const name of Object.keys(group) as Array<`rsa${KeyBits}`>) {
      const h = group[name]!;
      hopRows.push([
        name.toUpperCase(),
        label,
        h.loginsPerSec,
        h.cpuMsPerLogin,
        h.loginsPerSecPerCore,
        percent(h.ratio),
        h.saturated.p99Ms,
        h.halfRate?.ratePerSec ?? Number.NaN,
        h.p50Ms,
        h.p95Ms,
        h.p99Ms,
        h.halfRate?.maxGcPauseMs ?? Number.NaN,
        h.peakRssMb,
      ]);
    }
  }
  if (hopRows.length > 0) {
    const concurrency = Object.values(results.hop)[0]?.concurrency ?? Object.values(results.hopRedis)[0]?.concurrency;
    out.push("", `### 2. ACS hop (one broker process; maximum rate closed-loop at concurrency ${concurrency}, latency open-loop at half that rate)`, "");
    out.push(
      table(
        ["key", "store", "logins/s", "CPU ms/login", "logins/s/core", "of ceiling", "p99 at max (ms)", "half rate (/s)", "p50 (ms)", "p95 (ms)", "p99 (ms)", "longest GC pause (ms)", "peak RSS (MB)"],
        hopRows,
        2,
      ),
    );
    const phaseSource = [...Object.entries(results.hop), ...Object.entries(results.hopRedis).map(([k, v]) => [`${k} Redis`, v] as const)];
    out.push("", "Where the broker's time goes in the ACS hop (mean ms per login, measured inside the broker, one login at a time):", "");
    out.push(
      table(
        ["step", ...phaseSource.map(([name]) => name.toUpperCase().replace(" REDIS", " Redis"))],
        [
          ...[...LOGIN_PHASES, "total" as const].map((phase) => [PHASE_LABELS[phase], ...phaseSource.map(([, h]) => h!.phasesMs[phase])]),
          ["HTTP round trip, one login alone (p50)", ...phaseSource.map(([, h]) => h!.aloneP50Ms)],
        ],
      ),
    );
  }
  if (results.scaleOut) {
    const s = results.scaleOut;
    out.push("", `### 3. Scale-out (RSA-${s.bits}, Redis, round-robin over the processes)`, "");
    out.push(
      table(
        ["broker processes", "logins/s", "CPU ms/login", "cores busy", "relative"],
        [
          ["1", s.oneProcessPerSec, s.cpuMsPerLogin.one, s.brokerCores.one, "1.00×"],
          ["2", s.twoProcessesPerSec, s.cpuMsPerLogin.two, s.brokerCores.two, `${s.ratio.toFixed(2)}×`],
        ],
      ),
    );
  }
  if (results.wholeLogin) {
    const w = results.wholeLogin;
    out.push("", `### 4. Whole login with the demo parties (RSA-${w.bits}; fagsystem → broker → IdP → broker → fagsystem over loopback HTTP)`, "");
    out.push(
      table(
        ["browsers", "logins/s", "p50 (ms)", "p99 (ms)", "broker CPU ms/login", "IdP + fagsystem CPU ms/login"],
        [w.sequential, w.concurrent].map((r) => [String(r.concurrency), r.loginsPerSec, r.latency.p50Ms, r.latency.p99Ms, r.brokerCpuMsPerLogin, r.partiesCpuMsPerLogin]),
      ),
    );
    out.push("", "One login at a time, mean ms per step as the browser saw it, and the broker's ACS step from the inside:", "");
    out.push(table(["step", "ms"], WHOLE_LOGIN_STEPS.map((step) => [STEP_LABELS[step], w.sequential.stepsMs[step]])));
    out.push("");
    out.push(table(["inside the broker's ACS step", "ms"], [...LOGIN_PHASES, "total" as const].map((phase) => [PHASE_LABELS[phase], w.sequential.brokerPhasesMs[phase]])));
  }
  if (results.oidcLogin) {
    const o = results.oidcLogin;
    out.push("", `### 5. Whole OIDC login (RSA-${o.bits}; authorize → broker → IdP → broker → code → token over loopback HTTP)`, "");
    out.push(
      table(
        ["browsers", "logins/s", "p50 (ms)", "p99 (ms)", "broker CPU ms/login"],
        [o.sequential, o.concurrent].map((r) => [String(r.concurrency), r.loginsPerSec, r.latency.p50Ms, r.latency.p99Ms, r.brokerCpuMsPerLogin]),
      ),
    );
    out.push("", "One login at a time, mean ms per step as the browser and the client saw it:", "");
    out.push(table(["step", "ms"], OIDC_LOGIN_STEPS.map((step) => [step, o.sequential.stepsMs[step]])));
  }
  if (results.soak) {
    const k = results.soak;
    out.push("", `### 6. Soak (RSA-${k.bits}; whole demo logins at ${k.ratePerSec}/s for ${k.minutes} min, one broker, memory store)`, "");
    out.push(
      table(
        ["logins", "failed", "logins/s", "p50 (ms)", "p99 (ms)", "heap growth after the first minute (MB)", "peak RSS (MB)"],
        [[String(k.completed), String(k.failed), k.achievedPerSec, k.latency.p50Ms, k.latency.p99Ms, k.heapGrowthAfterWarmupMb, k.peakRssMb]],
      ),
    );
    out.push("", "Samples (memory after full collections; event-loop delay since the previous sample):", "");
    out.push(
      table(
        ["s", "heap after GC (MB)", "RSS (MB)", "loop delay p50 (ms)", "p99 (ms)", "max (ms)"],
        k.samples.map((s) => [String(s.atSeconds), s.heapAfterGcMb, s.rssMb, s.loopDelayMs.p50, s.loopDelayMs.p99, s.loopDelayMs.max]),
      ),
    );
  }
  if (results.rollover) {
    const r = results.rollover;
    out.push("", `### 7. Key rollover under load (RSA-${r.bits}; whole demo logins at ${r.ratePerSec}/s for ${r.seconds} s; the broker's signing key rolls at ${r.switchedAtSeconds} s)`, "");
    out.push(
      table(
        ["logins", "failed", "signing with the next key afterwards", "p50 (ms)", "p99 (ms)"],
        [[String(r.completed), String(r.failed), r.signingWithNextKey ? "yes" : "no", r.latency.p50Ms, r.latency.p99Ms]],
      ),
    );
  }
  if (results.machineLoad.length > 0) {
    out.push("", "### Machine load per part", "");
    out.push(
      table(
        ["part", "s", "cores busy", "by the benchmark", "by other processes", "noisy"],
        results.machineLoad.map((p) => [p.part, p.seconds, p.machineCores, p.benchCores, p.otherCores, p.noisy ? "NOISY" : "no"]),
      ),
    );
    out.push("", "A part is noisy when other processes kept more than 15 % of the cores busy: trust its CPU per login more than its throughput and latency.");
  }
  if (results.targets.length > 0) {
    out.push("", "### Targets", "");
    out.push(table(["target", "measured", "met"], results.targets.map((t) => [t.target, t.value, t.met ? "yes" : "no"]), 1));
  }
  return out.join("\n");
}
