/** oidc-provider's error events as structured log lines, with the request's correlation id. */
import type Provider from "oidc-provider";
import type { KoaContextWithOIDC } from "oidc-provider";
import type { Logger } from "../../observability/logger.js";
import { correlationIdOf } from "./oidc-pages.js";

const REFUSAL_EVENTS = [
  "authorization.error",
  "backchannel.error",
  "end_session.error",
  "grant.error",
  "introspection.error",
  "jwks.error",
  "discovery.error",
  "revocation.error",
  "userinfo.error",
  "pushed_authorization_request.error",
] as const;

export function watchProviderEvents(provider: Provider, log: Logger): void {
  const on = provider.on.bind(provider) as (event: string, listener: (ctx: KoaContextWithOIDC, error: Error & { error?: string; error_description?: string; error_detail?: string }) => void) => void;
  for (const event of REFUSAL_EVENTS) {
    on(event, (ctx, error) => {
      log.warn(
        { correlationId: correlationIdOf(ctx), event: "oidc_refused", reason: error.error ?? "server_error", detail: [error.error_description ?? error.message, error.error_detail].filter(Boolean).join(": ").slice(0, 300), path: ctx.path, client: ctx.oidc?.client?.clientId },
        `OIDC request refused (${event})`,
      );
    });
  }
  on("server_error", (ctx, error) => {
    log.error({ correlationId: correlationIdOf(ctx), event: "oidc_server_error", err: error, path: ctx.path }, "unexpected error in the OIDC provider");
  });
  on("grant.success", (ctx) => {
    log.info({ correlationId: correlationIdOf(ctx), event: "oidc_tokens_issued", client: ctx.oidc?.client?.clientId }, "OIDC tokens issued");
  });
}
