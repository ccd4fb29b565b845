/** Turns an Interaction or a failure into an HTTP answer. */
import type { Response } from "express";
import type { Interaction } from "../model/interaction.js";
import { autoPostPage, chooserPage, errorPage, noticePostPage } from "./pages.js";
import { logoutFramesPage, logoutSummaryPage } from "./logout-pages.js";
import { setBindingCookie } from "./binding-cookie.js";

export const LOGIN_BINDING_COOKIE = "broker_login_bind";

/** The broker's environment, set on every response by the app (a banner on non-production pages). */
export function environmentOf(res: Response): string | undefined {
  const value: unknown = res.locals["environment"];
  return typeof value === "string" ? value : undefined;
}

export interface InteractionPageOptions {
  chooseUrl: string;
  secureCookies: boolean;
  chooserFormOrigins: readonly string[];
  /** The broker's own origin, and where a form posted to it may be redirected on (the OIDC clients' redirect origins). */
  selfOrigin: string;
  selfFormOrigins: readonly string[];
  /** Where the logout page's frames may go (the fagsystemer's SingleLogoutService origins). */
  logoutFrameOrigins?: readonly string[];
  /** The answer is shown inside the broker's own logout page (a frame): it may be framed by the broker. */
  framed?: boolean;
  /** How long a cookie binding an upstream step to the browser lives (the login's lifetime). */
  bindingMaxAgeSeconds: number;
}

export function sendInteraction(res: Response, interaction: Interaction, options: InteractionPageOptions): void {
  if ((interaction.kind === "redirect" || interaction.kind === "post") && interaction.bind) setBindingCookie(res, interaction.bind, options.secureCookies, options.bindingMaxAgeSeconds);
  switch (interaction.kind) {
    case "redirect":
      res.redirect(303, interaction.url);
      return;
    case "post": {
      const target = new URL(interaction.url);
      // A form to the broker itself may end, through redirects, at an OIDC client (Chromium applies form-action to the whole chain).
      const formOrigins = target.origin === options.selfOrigin ? [target.origin, ...options.selfFormOrigins] : [target.origin];
      res.setHeader(
        "Content-Security-Policy",
        `default-src 'none'; script-src 'self'; style-src 'self'; form-action ${formOrigins.join(" ")}; frame-ancestors ${options.framed ? "'self'" : "'none'"}; base-uri 'none'`,
      );
      res.setHeader("Cache-Control", "no-store");
      const notice = interaction.notice;
      const page = notice
        ? noticePostPage(interaction.url, interaction.fields, notice.title, notice.message, notice.correlationId, environmentOf(res))
        : autoPostPage(interaction.url, interaction.fields, environmentOf(res));
      res.status(200).type("html").send(page);
      return;
    }
    case "choose-municipality":
      res.cookie(LOGIN_BINDING_COOKIE, interaction.browserBinding, {
        httpOnly: true,
        sameSite: "lax",
        secure: options.secureCookies,
        path: "/login",
        maxAge: 15 * 60 * 1000,
      });
      res.setHeader("Cache-Control", "no-store");
      res.setHeader(
        "Content-Security-Policy",
        `default-src 'none'; script-src 'self'; style-src 'self'; form-action 'self' ${options.chooserFormOrigins.join(" ")}; frame-ancestors 'none'; base-uri 'none'`,
      );
      res.status(200).type("html").send(chooserPage(interaction.loginId, interaction.options, options.chooseUrl, environmentOf(res)));
      return;
    case "logout-frames":
      res.setHeader("Cache-Control", "no-store");
      res.setHeader(
        "Content-Security-Policy",
        `default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; frame-src 'self' ${(options.logoutFrameOrigins ?? []).join(" ")}; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`,
      );
      res.status(200).type("html").send(logoutFramesPage(interaction.runId, interaction.steps, interaction.waitSeconds, environmentOf(res)));
      return;
    case "logout-summary": {
      const next = interaction.next;
      const target = next && (next.kind === "redirect" || next.kind === "post") ? next : undefined;
      res.setHeader("Cache-Control", "no-store");
      res.setHeader(
        "Content-Security-Policy",
        `default-src 'none'; style-src 'self'; form-action ${target ? new URL(target.url).origin : "'none'"}; frame-ancestors 'none'; base-uri 'none'`,
      );
      res.status(200).type("html").send(logoutSummaryPage(interaction.entries, interaction.complete, interaction.correlationId, target && (target.kind === "redirect" ? target : { kind: "post", url: target.url, fields: target.fields }), environmentOf(res)));
      return;
    }
  }
}

export function sendErrorPage(res: Response, httpStatus: number, title: string, message: string, correlationId: string): void {
  if (res.headersSent) return;
  res.setHeader("Cache-Control", "no-store");
  res.status(httpStatus).type("html").send(errorPage(title, message, correlationId, environmentOf(res)));
}
