/**
 * The broker the fuzz harness sends its cases to (one with OIOSAML 3's
 * signed-assertion policy, one where a signed Response is enough), and the
 * checks every case must pass, whatever the endpoint.
 */
import { strict as assert } from "node:assert";
import type request from "supertest";
import { createBrokerFixture, type BrokerFixture } from "../../support/broker-fixture.js";
import { elementsOf, lenientDom } from "./fuzz-mutations.js";
import { xmlCryptoAccepts } from "./xml-crypto-alone.js";

/** Whether xml-crypto alone accepts the signature enveloped in the first element named `localName` (any namespace). */
export function independentlyVerified(xml: string, localName: string, certificatePem: string): boolean {
  // What xmldom warns about the broker refuses anyway; xml-crypto would print the warnings.
  const doc = lenientDom(xml, true);
  if (!doc) return false;
  return xmlCryptoAccepts(xml, elementsOf(doc).find((e) => e.localName === localName), certificatePem);
}

export interface FuzzTarget {
  /** IdP policy requireSignedAssertion: true (OIOSAML 3). */
  fixture: BrokerFixture;
  /** The same broker shape with requireSignedAssertion: false (a signed Response is enough). */
  lax: BrokerFixture;
  unhandled: unknown[];
  stats: { cases: number; accepted: number; refused: number; serverErrors: number; statuses: Map<number, number> };
  close(): void;
}

export async function createFuzzTarget(): Promise<FuzzTarget> {
  const fixture = await createBrokerFixture({ config: { log: { level: "warn" } } });
  const lax = await createBrokerFixture({ config: { log: { level: "warn" } }, idp: { requireSignedAssertion: false } });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  return {
    fixture,
    lax,
    unhandled,
    stats: { cases: 0, accepted: 0, refused: 0, serverErrors: 0, statuses: new Map() },
    close: () => process.off("unhandledRejection", onUnhandled),
  };
}

export function record(target: FuzzTarget, status: number): void {
  target.stats.cases += 1;
  target.stats.statuses.set(status, (target.stats.statuses.get(status) ?? 0) + 1);
  if (status >= 500) target.stats.serverErrors += 1;
}

export function checkCommon(target: FuzzTarget, response: request.Response): void {
  record(target, response.status);
  const correlationId = response.headers["x-correlation-id"] as string | undefined;
  if (response.status >= 500) {
    assert.ok(correlationId, `a ${response.status} without a correlation id`);
    assert.ok(response.text.includes(correlationId), `a ${response.status} page that does not show its correlation id`);
  }
  assert.ok(!/at .*\.[jt]s:\d+/.test(response.text), "a stack trace reached the browser");
  assert.equal(target.unhandled.length, 0, `unhandled rejection: ${String(target.unhandled[0])}`);
}
