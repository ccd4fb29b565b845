/**
 * The broker's SSO session: what a browser proved upstream (the
 * UpstreamResults) and when, kept in the state store so every instance can
 * use it. Keyed and sealed by a random id that only the browser's cookie
 * holds (sso-seal.ts). A session lives at most `maxAgeSeconds` from the
 * upstream authentication, and using it never extends it.
 */
import type { StateStore } from "../store/state-store.js";
import type { UpstreamResult } from "../model/upstream-result.js";
import type { SessionParticipant } from "../model/session-participant.js";
import { isSessionId, newSessionId, seal, sessionStoreKey, unseal } from "./sso-seal.js";
import { indexStoreKey, upstreamLookupKeys } from "./session-index.js";

export interface SsoSession {
  /** 2 since upstream results carry neutral claims; older sessions are not read. */
  version: 2;
  /** The municipal IdP the person authenticated at. */
  idpId: string;
  /** When the person authenticated upstream (ms). Age is measured from here. */
  authenticatedAt: number;
  upstreams: UpstreamResult[];
  /** The parties answered in this session, in order (for logout). */
  participants?: SessionParticipant[];
}

/** A session found by what a logout message names, with the id that unseals it. */
export interface FoundSession {
  id: string;
  session: SsoSession;
}

export class SsoSessionRepository {
  /**
   * The session this process created last, until its first participant is
   * added: its id has not left this request yet (the cookie goes with the
   * answer), so nobody else can have changed it, and the read is saved.
   */
  private justCreated: FoundSession | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly maxAgeSeconds: number,
    private readonly now: () => number,
  ) {}

  get enabled(): boolean {
    return this.maxAgeSeconds > 0;
  }

  /** Stores a new session and returns its id, or undefined when it would already be too old. */
  async create(idpId: string, upstreams: UpstreamResult[]): Promise<string | undefined> {
    const now = this.now();
    const instants = upstreams.map((u) => Date.parse(u.authnInstant)).filter((ms) => Number.isFinite(ms));
    // The oldest authentication counts, and never a time in the future.
    const authenticatedAt = Math.min(now, ...instants);
    const ttlSeconds = Math.floor((authenticatedAt + this.maxAgeSeconds * 1000 - now) / 1000);
    if (!this.enabled || ttlSeconds < 1) return undefined;
    const id = newSessionId();
    const session: SsoSession = { version: 2, idpId, authenticatedAt, upstreams, participants: [] };
    // An upstream's LogoutRequest names its own NameID and SessionIndex: they find this session.
    await Promise.all([this.store.put(sessionStoreKey(id), seal(id, JSON.stringify(session)), ttlSeconds), ...upstreams.flatMap(upstreamLookupKeys).map((lookup) => this.putIndex(lookup, id, ttlSeconds))]);
    this.justCreated = { id, session };
    return id;
  }

  /**
   * Records a party answered in the session (read, add, write back: two
   * answers at the same instant in one browser may keep only one of them,
   * which costs that party only the logout message, never a login).
   */
  async addParticipant(id: string, participant: SessionParticipant): Promise<void> {
    const created = this.justCreated?.id === id ? this.justCreated.session : undefined;
    this.justCreated = undefined;
    const session = created ?? (await this.find(id));
    if (!session) return;
    const ttlSeconds = this.remainingSeconds(session);
    if (ttlSeconds < 1) return;
    const participants = (session.participants ?? []).filter((p) => !(p.frontend === participant.frontend && p.partyId === participant.partyId && p.lookupKey === participant.lookupKey));
    const updated: SsoSession = { ...session, participants: [...participants, participant] };
    await Promise.all([
      this.store.put(sessionStoreKey(id), seal(id, JSON.stringify(updated)), ttlSeconds),
      ...(participant.lookupKey === undefined ? [] : [this.putIndex(participant.lookupKey, id, ttlSeconds)]),
    ]);
  }

  /**
   * A new session in the same browser takes over the parties of the one it
   * replaces (a step-up, a new login): they join the new one, their lookup keys
   * point at it, and the old one ends.
   */
  async carryOver(priorId: string, newId: string): Promise<void> {
    const prior = await this.find(priorId);
    if (!prior) return;
    for (const participant of prior.participants ?? []) await this.addParticipant(newId, participant);
    await this.end(priorId);
  }

  /** The live session a logout message's lookup key points at, if any. */
  async findByLookup(lookup: string): Promise<FoundSession | undefined> {
    if (!this.enabled) return undefined;
    const sealed = await this.store.get(indexStoreKey(lookup));
    const id = sealed === undefined ? undefined : unseal(lookup, sealed);
    if (id === undefined || !isSessionId(id)) return undefined;
    const session = await this.find(id);
    return session && { id, session };
  }

  private remainingSeconds(session: SsoSession): number {
    return Math.floor((session.authenticatedAt + this.maxAgeSeconds * 1000 - this.now()) / 1000);
  }

  /** The index holds the session id sealed with the lookup key: the store alone yields no usable session id. */
  private async putIndex(lookup: string, id: string, ttlSeconds: number): Promise<void> {
    await this.store.put(indexStoreKey(lookup), seal(lookup, id), ttlSeconds);
  }

  /** The session for this id if it exists, is intact and is young enough; otherwise undefined. */
  async find(id: string | undefined): Promise<SsoSession | undefined> {
    if (!this.enabled || id === undefined || !isSessionId(id)) return undefined;
    const sealed = await this.store.get(sessionStoreKey(id));
    if (sealed === undefined) return undefined;
    const plaintext = unseal(id, sealed);
    if (plaintext === undefined) return undefined;
    const session = parseSession(plaintext);
    if (!session) return undefined;
    const age = this.now() - session.authenticatedAt;
    return age >= 0 && age <= this.maxAgeSeconds * 1000 ? session : undefined;
  }

  /** Ends a session (logout): it answers no further login. */
  async end(id: string | undefined): Promise<void> {
    if (id === undefined || !isSessionId(id)) return;
    await this.store.take(sessionStoreKey(id));
  }
}

function parseSession(plaintext: string): SsoSession | undefined {
  try {
    const value = JSON.parse(plaintext) as Partial<SsoSession>;
    if (value.version !== 2 || typeof value.idpId !== "string" || typeof value.authenticatedAt !== "number" || !Array.isArray(value.upstreams)) return undefined;
    if (value.upstreams.length === 0) return undefined;
    if (value.participants !== undefined && !Array.isArray(value.participants)) return undefined;
    return value as SsoSession;
  } catch {
    return undefined;
  }
}
