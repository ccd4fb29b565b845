/** The pages oidc-provider shows a person (errors, logout), in the broker's look, without inline script. */
import type { ErrorOut, KoaContextWithOIDC } from "oidc-provider";
import { errorPage, layout } from "../../http/pages.js";
import { html, raw } from "../../http/html.js";

/** The correlation id the HTTP edge gave this request (oidc-provider runs on the same response object). */
export function correlationIdOf(ctx: KoaContextWithOIDC): string {
  const locals = (ctx.res as unknown as { locals?: Record<string, unknown> }).locals;
  return typeof locals?.["correlationId"] === "string" ? locals["correlationId"] : "-";
}

function describe(out: ErrorOut): string {
  const description = out.error_description ? `: ${out.error_description}` : "";
  return `${out.error}${description}`.slice(0, 300);
}

export interface OidcPages {
  renderError(ctx: KoaContextWithOIDC, out: ErrorOut): void;
  logoutSource(ctx: KoaContextWithOIDC, form: string): void;
  postLogoutSuccessSource(ctx: KoaContextWithOIDC): void;
}

/** The OpenID Provider's own pages; `environment` puts the non-production banner on them as on the broker's other pages. */
export function oidcPages(environment?: string): OidcPages {
  return {
    renderError(ctx, out) {
      ctx.type = "html";
      ctx.set("Cache-Control", "no-store");
      ctx.body = errorPage(
        "Login kunne ikke gennemføres / The login could not be completed",
        `Systemet sendte en forespørgsel, som ikke kunne godkendes (${describe(out)}). / The system sent a request that could not be accepted (${describe(out)}).`,
        correlationIdOf(ctx),
        environment,
      );
    },
    logoutSource(ctx, form) {
      ctx.type = "html";
      ctx.set("Cache-Control", "no-store");
      ctx.body = layout(
        "Log ud / Log out",
        html`<h1>Log ud / Log out</h1><p>Vil du logge ud af alle systemer, du er logget ind på gennem denne browser? / Do you want to log out of every system you are logged in to in this browser?</p>${raw(form)}<p><button type="submit" form="op.logoutForm" name="logout" value="yes">Log ud / Log out</button></p>`,
        environment,
      );
    },
    postLogoutSuccessSource(ctx) {
      ctx.type = "html";
      ctx.set("Cache-Control", "no-store");
      ctx.body = layout("Logget ud / Logged out", html`<h1>Du er logget ud / You are logged out</h1><p>Du kan lukke vinduet. / You may close this window.</p>`, environment);
    },
  };
}
