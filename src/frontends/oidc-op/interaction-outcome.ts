/**
 * How a finished login reaches oidc-provider's interaction: a success is
 * stored under the interaction id (taken once at the finish URL); a refusal
 * travels in the form the person submits to the finish URL, with a MAC so no
 * one can end someone else's authorization with an error of their choosing.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { StateStore } from "../../store/state-store.js";

export interface LoginOutcomeForClient {
  accountId: string;
  acr: string;
  /** Seconds since the epoch. */
  authTime: number;
}

export interface ErrorOutcome {
  error: string;
  error_description: string;
}

export function finishPath(uid: string): string {
  return `/oidc/interaction/${encodeURIComponent(uid)}/finish`;
}

export class InteractionOutcomes {
  constructor(
    private readonly store: StateStore,
    private readonly secret: string,
    private readonly ttlSeconds: number,
  ) {}

  async putSuccess(uid: string, outcome: LoginOutcomeForClient): Promise<void> {
    await this.store.put(`oidc:outcome:${uid}`, JSON.stringify(outcome), this.ttlSeconds);
  }

  async takeSuccess(uid: string): Promise<LoginOutcomeForClient | undefined> {
    const raw = await this.store.take(`oidc:outcome:${uid}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as LoginOutcomeForClient);
  }

  /** The form fields that carry a refusal to the finish URL. */
  errorFields(uid: string, outcome: ErrorOutcome): Record<string, string> {
    return { error: outcome.error, error_description: outcome.error_description, mac: this.mac(uid, outcome) };
  }

  /** The refusal the submitted form carries, or undefined when its MAC does not hold. */
  readErrorFields(uid: string, fields: Record<string, unknown>): ErrorOutcome | undefined {
    const { error, error_description: description, mac } = fields;
    if (typeof error !== "string" || typeof description !== "string" || typeof mac !== "string") return undefined;
    const expected = Buffer.from(this.mac(uid, { error, error_description: description }));
    const given = Buffer.from(mac);
    return expected.length === given.length && timingSafeEqual(expected, given) ? { error, error_description: description } : undefined;
  }

  private mac(uid: string, outcome: ErrorOutcome): string {
    return createHmac("sha256", this.secret).update(`oidc-refusal\u0000${uid}\u0000${outcome.error}\u0000${outcome.error_description}`).digest("base64url");
  }
}
