/**
 * Login state between redirects, kept server-side in the state store.
 * The browser only ever carries opaque random ids.
 */
import { randomBytes } from "node:crypto";
import type { StateStore } from "../store/state-store.js";
import type { LoginRequest, UpstreamKind, UpstreamResult } from "./types.js";

/** A login waiting for the person to choose a municipality. Key: pending:<loginId>. */
export interface PendingLogin {
  loginId: string;
  request: LoginRequest;
  /** Random value also set in a cookie; the chooser form must come from the same browser. */
  browserBinding: string;
}

/** A login waiting for an upstream's answer. Key: upstream:<upstream request ID>. */
export interface AwaitingUpstream {
  request: LoginRequest;
  upstreamId: string;
  /** Which kind of upstream is awaited (absent in states saved before step-up existed: a municipal IdP). */
  upstreamKind?: UpstreamKind | undefined;
  upstreamRequestId: string;
  /** Results of earlier upstream steps in this login (for step-up sequences). */
  completed: UpstreamResult[];
}

export function newId(prefix = "_"): string {
  return `${prefix}${randomBytes(20).toString("hex")}`;
}

export class LoginStateRepository {
  constructor(
    private readonly store: StateStore,
    private readonly ttlSeconds: number,
  ) {}

  async savePending(state: PendingLogin): Promise<void> {
    await this.store.put(`pending:${state.loginId}`, JSON.stringify(state), this.ttlSeconds);
  }

  async takePending(loginId: string): Promise<PendingLogin | undefined> {
    if (!/^[a-f0-9_]{8,80}$/.test(loginId)) return undefined;
    const raw = await this.store.take(`pending:${loginId}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as PendingLogin);
  }

  async peekPending(loginId: string): Promise<PendingLogin | undefined> {
    if (!/^[a-f0-9_]{8,80}$/.test(loginId)) return undefined;
    const raw = await this.store.get(`pending:${loginId}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as PendingLogin);
  }

  async saveAwaiting(state: AwaitingUpstream): Promise<void> {
    await this.store.put(`upstream:${state.upstreamRequestId}`, JSON.stringify(state), this.ttlSeconds);
  }

  /** Takes the state once: a second response to the same request finds nothing. */
  async takeAwaiting(upstreamRequestId: string): Promise<AwaitingUpstream | undefined> {
    if (upstreamRequestId.length > 256) return undefined;
    const raw = await this.store.take(`upstream:${upstreamRequestId}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as AwaitingUpstream);
  }
}
