/**
 * Fuzz harness for the ACS and SSO endpoints: fast-check arbitraries that
 * describe a list of mutations, applied to real, freshly signed messages
 * (IdP Responses in several signature and encryption shapes, and a
 * fagsystem's AuthnRequest over both bindings), sent to the real in-process
 * broker.
 *
 * Properties checked on every case:
 * - never accepted with anything the IdP did not sign: a forged marker put
 *   into the message never reaches the fagsystem, and an accepted plain
 *   message still verifies under xml-crypto alone (an independent check);
 * - the browser is only ever sent to the registered IdP or the registered
 *   ACS, and a redirect request whose signed parameters changed is never
 *   accepted;
 * - never a 5xx without a correlation id, never an unhandled rejection;
 * - no leak: the heap retained after full collections, less what the
 *   brokers' stores legitimately hold until their entries expire, stays
 *   under a fixed limit however long the run.
 *
 * Used by test/security/fuzz.test.ts (bounded, seeded, in CI) and by
 * scripts/fuzz.ts (`npm run fuzz -- --runs N`). No test-runner imports here.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { acsCaseArbitrary, runAcsCase } from "./fuzz-acs.js";
import { runSsoCase, ssoCaseArbitrary } from "./fuzz-sso.js";
import { createFuzzTarget, type FuzzTarget } from "./fuzz-target.js";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { MemoryStore } from "../../../src/store/memory-store.js";

/** A leak is what stays after full collections, beyond what the brokers' stores legitimately hold. */
const LEAK_LIMIT_BYTES = 64 * 1024 * 1024;

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

/** Heap in use after full collections, less what the brokers' memory stores hold (replay marks, logins: they expire on their own). */
function retainedHeap(target: FuzzTarget): number {
  collectGarbage();
  collectGarbage();
  const stores = [target.fixture.broker.store, target.lax.broker.store].filter((s): s is MemoryStore => s instanceof MemoryStore);
  return process.memoryUsage().heapUsed - stores.reduce((sum, store) => sum + store.bytes, 0);
}

export interface FuzzRunOptions {
  runs: number;
  seed: number;
  /** Called after each property with what it saw. */
  report?: (name: string, target: FuzzTarget, heapGrowthBytes: number) => void;
}

/** Runs both properties; throws (with fast-check's counterexample and seed) on the first failure. */
export async function runFuzz(options: FuzzRunOptions): Promise<void> {
  const target = await createFuzzTarget();
  try {
    const heapBefore = retainedHeap(target);
    const acsRuns = Math.ceil(options.runs / 2);
    await fc.assert(fc.asyncProperty(acsCaseArbitrary, (input) => runAcsCase(target, input)), { numRuns: acsRuns, seed: options.seed, endOnFailure: true });
    options.report?.("acs", target, retainedHeap(target) - heapBefore);
    target.stats = { cases: 0, accepted: 0, refused: 0, serverErrors: 0, statuses: new Map() };
    await fc.assert(fc.asyncProperty(ssoCaseArbitrary, (input) => runSsoCase(target, input)), { numRuns: options.runs - acsRuns, seed: options.seed + 1, endOnFailure: true });
    const growth = retainedHeap(target) - heapBefore;
    options.report?.("sso", target, growth);
    assert.ok(growth < LEAK_LIMIT_BYTES, `heap retained after full collections grew by ${Math.round(growth / 1048576)} MiB over the run (beyond the stores' own entries)`);
    assert.equal(target.unhandled.length, 0, "unhandled rejections during the run");
  } finally {
    target.close();
  }
}

