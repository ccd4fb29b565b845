/**
 * OIDC clients in Single Logout (the "oidc" participants). A client joins
 * the browser's SSO session when oidc-provider authorizes it (only then is
 * its sid known); a logout sends it a back-channel logout token (when it
 * registered a backchannelLogoutUri) and removes what the client was given,
 * so oidc-provider's own session can no longer answer it without a new login.
 */
import type Provider from "oidc-provider";
import type { KoaContextWithOIDC } from "oidc-provider";
import type { BrokerContext } from "../../broker-context.js";
import type { PartyLogout } from "../../login/logout/logout-ports.js";
import type { SessionParticipant } from "../../model/session-participant.js";
import type { OidcAccounts } from "./oidc-accounts.js";
import { OIDC_FRONTEND } from "./oidc-reply.js";

/** The participant for a client authorized in oidc-provider's session. */
export function oidcParticipant(partyId: string, clientId: string, accountId: string, sid: string): SessionParticipant {
  return { frontend: OIDC_FRONTEND, partyId, handle: { clientId, accountId, sid }, lookupKey: undefined };
}

/** Calls `join` with each client oidc-provider authorizes, as a participant of the session. */
export function watchAuthorizations(provider: Provider, broker: BrokerContext, join: (ctx: KoaContextWithOIDC, participant: SessionParticipant) => Promise<void>): void {
  provider.on("authorization.success", (ctx: KoaContextWithOIDC) => {
    const clientId = ctx.oidc.client?.clientId;
    const session = ctx.oidc.session;
    const accountId = session?.accountId;
    const sid = clientId === undefined ? undefined : session?.sidFor(clientId);
    const client = clientId === undefined ? undefined : broker.registry.oidcClientByClientId(clientId);
    if (!client || !accountId || !sid) return;
    join(ctx, oidcParticipant(client.id, client.systemId, accountId, sid)).catch((error: unknown) =>
      broker.log.warn({ event: "sso_join_failed", reason: "store_unavailable", client: clientId, detail: (error as Error).message }, "could not record the OIDC client in the SSO session"),
    );
  });
}

interface ClientWithBackchannel {
  backchannelLogout(sub: string, sid: string): Promise<void>;
}

export function oidcPartyLogout(broker: BrokerContext, provider: Provider, accounts: OidcAccounts): PartyLogout {
  const clientOf = (participant: SessionParticipant) => {
    const client = broker.registry.oidcClientByClientId(participant.handle["clientId"] ?? "");
    return client && client.id === participant.partyId ? client : undefined;
  };
  return {
    // Always the back channel: what the client was given is removed even when it cannot be told.
    channel(participant) {
      return clientOf(participant) ? "back" : "none";
    },
    async logOutBehind(participant) {
      const { clientId, accountId, sid } = participant.handle;
      if (!clientId || !accountId || !sid) return false;
      await accounts.remove(clientId, accountId);
      if (clientOf(participant)?.policy.backchannelLogoutUri === undefined) throw new Error("the client registered no backchannelLogoutUri");
      const client = await provider.Client.find(clientId);
      if (!client) return false;
      await (client as unknown as ClientWithBackchannel).backchannelLogout(accountId, sid);
      return true;
    },
    request() {
      throw new Error("OIDC clients are logged out on the back channel only");
    },
    // The client that began the logout is sent on to where oidc-provider was sending it (its post_logout_redirect_uri).
    answerInitiator(initiator) {
      const then = initiator.reply["then"];
      return then === undefined ? undefined : { kind: "redirect", url: then };
    },
    displayName(participant) {
      return clientOf(participant)?.displayName ?? participant.partyId;
    },
  };
}
