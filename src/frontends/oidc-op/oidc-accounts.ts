/**
 * What a login gave each OIDC client, kept until its tokens can no longer be
 * used: the claims released to that client, the level proved and when.
 * oidc-provider knows the person by one account id for the whole browser
 * session (so one person's session spans several clients); each client sees
 * its own `sub` (pairwise: stable per person and client).
 */
import { createHash } from "node:crypto";
import type { StateStore } from "../../store/state-store.js";
import type { Identity } from "../../model/identity.js";
import type { ReachedLevel } from "../../profiles/levels.js";
import type { OidcClaims } from "../../profiles/oidc-claims.js";

export interface OidcAccountRecord {
  clientId: string;
  claims: OidcClaims;
  /** The acr value the login proved, as the ID token carries it. */
  acr: string;
  level: ReachedLevel;
  /** Seconds since the epoch. */
  authTime: number;
}

function digest(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("base64url");
}

/** The person across clients: their NemLog-in professional UUID where known, else the upstream's subject. */
export function accountIdFor(identity: Identity): string {
  const evidence = identity.evidence[0];
  const personKey = identity.person.uuid ? `uuid:${identity.person.uuid.toLowerCase()}` : `nameid:${evidence?.issuer ?? ""}:${identity.person.nameId}`;
  return digest("account", personKey);
}

/** The `sub` one client sees for an account. */
export function pairwiseSubject(clientId: string, accountId: string): string {
  return digest("sub", clientId, accountId);
}

export class OidcAccounts {
  constructor(private readonly store: StateStore) {}

  private key(clientId: string, accountId: string): string {
    return `oidc:account:${digest(clientId)}:${accountId}`;
  }

  async save(accountId: string, record: OidcAccountRecord, ttlSeconds: number): Promise<void> {
    await this.store.put(this.key(record.clientId, accountId), JSON.stringify(record), ttlSeconds);
  }

  /** Logout: the client can no longer be answered from oidc-provider's session, nor refresh its tokens. */
  async remove(clientId: string, accountId: string): Promise<void> {
    await this.store.take(this.key(clientId, accountId));
  }

  async load(clientId: string, accountId: string): Promise<OidcAccountRecord | undefined> {
    const raw = await this.store.get(this.key(clientId, accountId));
    return raw === undefined ? undefined : (JSON.parse(raw) as OidcAccountRecord);
  }
}
