/**
 * The user store's records in the state store (memory or Redis), one per
 * (municipality, user id), under the key prefix `userstore:` with the
 * configured time to live. As with the attribute-service cache, the key
 * holds a hash, never the user id, and an entry that does not read back as
 * a record counts as absent. Also the login core's UserRecords port.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { StateStore } from "../../store/state-store.js";
import type { UserRecords } from "../../login/ports.js";

export const USER_STORE_PREFIX = "userstore:";

const MAX_USER_ID = 512;

/** One provisioned user: the id the broker knows the user by (professional UUID or the Serial of the NameID) and the CPR number. */
export const userRecordSchema = z
  .object({
    userId: z
      .string()
      .min(1)
      .max(MAX_USER_ID)
      // eslint-disable-next-line no-control-regex
      .refine((v) => !/[\u0000-\u001f\u007f]/.test(v) && v.trim() === v, "a user id has no control characters and no surrounding spaces"),
    cpr: z.string().regex(/^\d{6}-?\d{4}$/, "a CPR number is ten digits (DDMMYYXXXX or DDMMYY-XXXX)"),
  })
  .strict();

export type UserRecord = z.infer<typeof userRecordSchema>;

const stored = z.object({ cpr: z.string().regex(/^\d{10}$/) }).strict();

export function userRecordKey(cvr: string, userId: string): string {
  // A professional UUID is one id however it is written (urn:uuid: prefix, capitals); other ids are taken as they are.
  const bare = userId.replace(/^urn:uuid:/i, "");
  const lookupId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(bare) ? bare.toLowerCase() : userId;
  return `${USER_STORE_PREFIX}${cvr}:${createHash("sha256").update(JSON.stringify([cvr, lookupId])).digest("base64url")}`;
}

export class UserRecordStore implements UserRecords {
  constructor(
    private readonly store: StateStore,
    private readonly ttlSeconds: number,
  ) {}

  async put(cvr: string, record: UserRecord): Promise<void> {
    await this.store.put(userRecordKey(cvr, record.userId), JSON.stringify({ cpr: record.cpr.replace("-", "") }), this.ttlSeconds);
  }

  async remove(cvr: string, userId: string): Promise<boolean> {
    return (await this.store.take(userRecordKey(cvr, userId))) !== undefined;
  }

  async cprFor(cvr: string, userIds: readonly string[]): Promise<string | undefined> {
    for (const userId of userIds) {
      const raw = await this.store.get(userRecordKey(cvr, userId));
      if (raw === undefined) continue;
      try {
        const parsed = stored.safeParse(JSON.parse(raw));
        if (parsed.success) return parsed.data.cpr;
      } catch {
        // Unreadable: absent.
      }
    }
    return undefined;
  }
}
