/**
 * Login state between redirects, kept server-side in the state store.
 * The browser only ever carries opaque random ids.
 */
import { randomBytes } from "node:crypto";
import type { StateStore } from "../store/state-store.js";
import { seal, unseal } from "./sso-seal.js";
import type { LoginRequest } from "../model/login-request.js";
import type { UpstreamKind, UpstreamResult } from "../model/upstream-result.js";
import { newBrowserBinding, type BrowserBinding } from "./browser-binding.js";

/** The request as stored: the prior SSO session id only sealed (whoever reads the store must not get a usable session id). */
type StoredRequest = Omit<LoginRequest, "priorSsoSessionId"> & { sealedPriorSession?: string | undefined };

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
  /** Set when upstream steps are bound to the browser: its answer counts only with this cookie (browser-binding.ts). */
  browserBinding?: BrowserBinding | undefined;
}

/**
 * How an AwaitingUpstream is stored. Earlier upstream results (the municipal
 * login waiting for a step-up) hold a person's attributes: they are sealed
 * (AES-256-GCM) under a key derived from the broker's secret and the request
 * ID, so whoever can read the store cannot read them and whoever can write it
 * cannot forge them.
 */
type StoredAwaiting = Omit<AwaitingUpstream, "completed" | "request"> & { request: StoredRequest; completed: []; sealedCompleted?: string | undefined };
type StoredPending = Omit<PendingLogin, "request"> & { request: StoredRequest };

export function newId(prefix = "_"): string {
  return `${prefix}${randomBytes(20).toString("hex")}`;
}

export class LoginStateRepository {
  constructor(
    private readonly store: StateStore,
    private readonly ttlSeconds: number,
    /** The broker's secret (the same on every instance); needed to store earlier upstream results. */
    private readonly sealingSecret?: string,
    /** Whether a login waiting for an upstream is bound to the browser that was sent there. */
    private readonly bindUpstreamSteps = false,
  ) {}

  private sealingKey(upstreamRequestId: string): string {
    if (this.sealingSecret === undefined) throw new Error("earlier upstream results cannot be stored without the broker's secret");
    return `${this.sealingSecret}\nupstream:${upstreamRequestId}`;
  }

  private storedRequest(request: LoginRequest, key: string): StoredRequest {
    const { priorSsoSessionId, ...rest } = request;
    if (priorSsoSessionId === undefined || this.sealingSecret === undefined) return rest;
    return { ...rest, sealedPriorSession: seal(this.sealingKey(key), priorSsoSessionId) };
  }

  /** The request back; a prior session that does not unseal is dropped (it only costs that session's fagsystemer their logout message). */
  private readRequest(stored: StoredRequest, key: string): LoginRequest {
    const { sealedPriorSession, ...rest } = stored;
    const prior = sealedPriorSession === undefined || this.sealingSecret === undefined ? undefined : unseal(this.sealingKey(key), sealedPriorSession);
    return prior === undefined ? rest : { ...rest, priorSsoSessionId: prior };
  }

  async savePending(state: PendingLogin): Promise<void> {
    const stored: StoredPending = { ...state, request: this.storedRequest(state.request, `pending:${state.loginId}`) };
    await this.store.put(`pending:${state.loginId}`, JSON.stringify(stored), this.ttlSeconds);
  }

  private decodePending(raw: string, loginId: string): PendingLogin {
    const stored = JSON.parse(raw) as StoredPending;
    return { ...stored, request: this.readRequest(stored.request, `pending:${loginId}`) };
  }

  async takePending(loginId: string): Promise<PendingLogin | undefined> {
    if (!/^[a-f0-9_]{8,80}$/.test(loginId)) return undefined;
    const raw = await this.store.take(`pending:${loginId}`);
    return raw === undefined ? undefined : this.decodePending(raw, loginId);
  }

  async peekPending(loginId: string): Promise<PendingLogin | undefined> {
    if (!/^[a-f0-9_]{8,80}$/.test(loginId)) return undefined;
    const raw = await this.store.get(`pending:${loginId}`);
    return raw === undefined ? undefined : this.decodePending(raw, loginId);
  }

  /** Stores the login under its upstream request ID; returns the browser binding to set with the browser's next step, if any. */
  async saveAwaiting(unbound: AwaitingUpstream): Promise<BrowserBinding | undefined> {
    const state: AwaitingUpstream = this.bindUpstreamSteps ? { ...unbound, browserBinding: newBrowserBinding() } : unbound;
    const { completed, request, ...rest } = state;
    const storedRequest = this.storedRequest(request, `prior:${state.upstreamRequestId}`);
    const stored: StoredAwaiting =
      completed.length === 0
        ? { ...rest, request: storedRequest, completed: [] }
        : { ...rest, request: storedRequest, completed: [], sealedCompleted: seal(this.sealingKey(state.upstreamRequestId), JSON.stringify(completed)) };
    await this.store.put(`upstream:${state.upstreamRequestId}`, JSON.stringify(stored), this.ttlSeconds);
    return state.browserBinding;
  }

  /** Reads the state without taking it: the Response is verified before the login is consumed. */
  async peekAwaiting(upstreamRequestId: string): Promise<AwaitingUpstream | undefined> {
    if (upstreamRequestId.length > 256) return undefined;
    const raw = await this.store.get(`upstream:${upstreamRequestId}`);
    return raw === undefined ? undefined : this.decodeAwaiting(raw, upstreamRequestId);
  }

  /** Takes the state once: a second response to the same request finds nothing. */
  async takeAwaiting(upstreamRequestId: string): Promise<AwaitingUpstream | undefined> {
    if (upstreamRequestId.length > 256) return undefined;
    const raw = await this.store.take(`upstream:${upstreamRequestId}`);
    return raw === undefined ? undefined : this.decodeAwaiting(raw, upstreamRequestId);
  }

  private decodeAwaiting(raw: string, upstreamRequestId: string): AwaitingUpstream | undefined {
    const { sealedCompleted, completed, request: storedRequest, ...others } = JSON.parse(raw) as StoredAwaiting;
    const rest = { ...others, request: this.readRequest(storedRequest, `prior:${upstreamRequestId}`) };
    // Earlier results only ever travel sealed: anything else in the store is not ours (fail closed).
    if (!Array.isArray(completed) || completed.length > 0 || rest.upstreamRequestId !== upstreamRequestId) return undefined;
    if (sealedCompleted === undefined) return { ...rest, completed: [] };
    if (this.sealingSecret === undefined) return undefined;
    const plaintext = unseal(this.sealingKey(upstreamRequestId), sealedCompleted);
    if (plaintext === undefined) return undefined;
    return { ...rest, completed: JSON.parse(plaintext) as UpstreamResult[] };
  }
}
