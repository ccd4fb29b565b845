/**
 * oidc-provider's storage on the broker's state store: memory for one
 * process, Redis for several, so an authorization started on one instance
 * can be redeemed or refreshed on another.
 *
 * Two things are made safe across instances without read-modify-write:
 * - consuming a code or a rotated refresh token is a `seenBefore` marker, so
 *   two concurrent redemptions cannot both succeed;
 * - revoking a grant (code replay, logout) writes a revocation marker that
 *   every lookup of a token of that grant checks, so no index of token ids
 *   has to be kept consistent.
 */
import { errors, type Adapter, type AdapterPayload } from "oidc-provider";
import type { StateStore } from "../../store/state-store.js";

/** Longest any grant's tokens live (refresh tokens: 30 days at most in config). */
const GRANT_REVOCATION_TTL_SECONDS = 31 * 86_400;
/** Entries oidc-provider stores without a lifetime (none in this configuration) still expire. */
const DEFAULT_TTL_SECONDS = 14 * 86_400;

export function storeAdapterFactory(store: StateStore): (model: string) => Adapter {
  return (model: string) => new StoreAdapter(store, model);
}

class StoreAdapter implements Adapter {
  constructor(
    private readonly store: StateStore,
    private readonly model: string,
  ) {}

  private key(id: string): string {
    return `oidc:${this.model}:${id}`;
  }

  private consumedKey(id: string): string {
    return `oidc:consumed:${this.model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const ttl = expiresIn && expiresIn > 0 ? Math.ceil(expiresIn) : DEFAULT_TTL_SECONDS;
    await this.store.put(this.key(id), JSON.stringify(payload), ttl);
    if (this.model === "Session" && payload.uid) await this.store.put(`oidc:session-uid:${payload.uid}`, id, ttl);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const raw = await this.store.get(this.key(id));
    if (raw === undefined) return undefined;
    const payload = JSON.parse(raw) as AdapterPayload;
    if (payload.grantId && (await this.store.get(revokedKey(payload.grantId))) !== undefined) return undefined;
    if (payload.consumed === undefined && (await this.store.get(this.consumedKey(id))) !== undefined) {
      return { ...payload, consumed: Math.floor(Date.now() / 1000) };
    }
    return payload;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = await this.store.get(`oidc:session-uid:${uid}`);
    return id === undefined ? undefined : this.find(id);
  }

  /** Device flow is not enabled. */
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const raw = await this.store.get(this.key(id));
    const payload = raw === undefined ? undefined : (JSON.parse(raw) as AdapterPayload);
    const ttl = payload?.exp ? Math.max(1, payload.exp - Math.floor(Date.now() / 1000)) : DEFAULT_TTL_SECONDS;
    if (await this.store.seenBefore(this.consumedKey(id), ttl)) {
      // A second redemption raced the first past oidc-provider's own check: refuse it and revoke what the first got.
      if (payload?.grantId) await this.revokeByGrantId(payload.grantId);
      throw new errors.InvalidGrant(`${this.model} was already used`);
    }
  }

  async destroy(id: string): Promise<void> {
    await this.store.take(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.store.put(revokedKey(grantId), "revoked", GRANT_REVOCATION_TTL_SECONDS);
  }
}

function revokedKey(grantId: string): string {
  return `oidc:revoked-grant:${grantId}`;
}
