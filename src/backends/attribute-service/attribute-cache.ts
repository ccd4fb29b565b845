/**
 * A short cache of attribute service answers in the state store, per
 * (service, organisation, user, system, forwarded claims), under the key
 * prefix `attrcache:`. The key holds a hash, never the user id itself. A
 * cached entry that does not read back as an answer counts as a miss.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { StateStore } from "../../store/state-store.js";
import { BPP_NAMESPACES } from "../../profiles/bpp.js";
import type { PrivilegeAnswer, PrivilegeQuery } from "./types.js";

export const CACHE_PREFIX = "attrcache:";

const scope = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("cvr"), cvr: z.string() }),
  z.object({ kind: z.literal("productionUnit"), pNumber: z.string() }),
  z.object({ kind: z.literal("seNumber"), seNumber: z.string() }),
  z.object({ kind: z.literal("cpr"), cpr: z.string() }),
]);

const cachedAnswer = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("unknown-user") }),
  z.object({
    kind: z.literal("privileges"),
    decoded: z.object({
      list: z.object({
        namespace: z.enum([BPP_NAMESPACES.itst, BPP_NAMESPACES.digst]),
        groups: z.array(z.object({ scope, privileges: z.array(z.string()), constraints: z.array(z.object({ name: z.string(), values: z.array(z.string()) })) })),
      }),
      rejected: z.array(z.object({ position: z.number().int(), reason: z.string(), privileges: z.array(z.string()) })),
    }),
  }),
]);

export function cacheKey(serviceId: string, query: PrivilegeQuery): string {
  const claims = query.claims.map((c) => [c.attribute, c.parameter, [...c.values].sort()]);
  const digest = createHash("sha256").update(JSON.stringify([query.cvr, query.userId, query.systemId, claims])).digest("base64url");
  return `${CACHE_PREFIX}${serviceId}:${digest}`;
}

export async function cachedPrivileges(store: StateStore, key: string): Promise<PrivilegeAnswer | undefined> {
  const raw = await store.get(key);
  if (raw === undefined) return undefined;
  try {
    const parsed = cachedAnswer.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function cachePrivileges(store: StateStore, key: string, answer: PrivilegeAnswer, ttlSeconds: number): Promise<void> {
  if (ttlSeconds <= 0) return;
  await store.put(key, JSON.stringify(answer), ttlSeconds);
}
