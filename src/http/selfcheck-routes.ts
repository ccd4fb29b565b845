/**
 * The self-check's routes: /selfcheck (choose the IdP, with a search),
 * /selfcheck/start (send the browser to the IdP), the report as a page and
 * as JSON. Mounted only where the configuration enables the self-check.
 */
import type express from "express";
import type { NextFunction, Request, Response } from "express";
import type { BrokerContext } from "../broker-context.js";
import type { LoginPorts } from "../login/ports.js";
import { bindingMatches } from "../login/browser-binding.js";
import { SelfCheckService, type SelfCheckAnswer, REPORT_TTL_SECONDS } from "../selfcheck/self-check-service.js";
import { selfCheckLevel } from "../selfcheck/requested-level.js";
import { filterIdps, MAX_QUERY_CHARS } from "./idp-filter.js";
import { selfCheckChooserPage, selfCheckReportPage } from "./selfcheck-pages.js";
import { environmentOf, sendErrorPage, sendInteraction, type InteractionPageOptions } from "./respond.js";
import { presentedBindings, releaseBindingCookie } from "./binding-cookie.js";
import { readCookies } from "./cookies.js";

type Handler = (req: Request, res: Response, next: NextFunction) => void;

export interface SelfCheckDeps {
  broker: BrokerContext;
  ports: LoginPorts;
  form: Handler;
  requireForm: Handler;
  pageOptions: () => InteractionPageOptions;
}

export const REPORT_COOKIE = "broker_selfcheck";

const correlationIdOf = (res: Response) => String(res.locals["correlationId"]);

export interface SelfCheckRoutes {
  /** Answers the browser with the report for an upstream answer that belonged to a self-check. */
  finish(req: Request, res: Response, diverted: SelfCheckAnswer, answerUrl: string): Promise<void>;
}

export function mountSelfCheck(app: express.Express, deps: SelfCheckDeps): SelfCheckRoutes {
  const { broker } = deps;
  const service = new SelfCheckService(broker, deps.ports);
  const enabled = broker.config.selfCheck.enabled;
  const choosable = () => service.idps().map((idp) => ({ id: idp.id, name: idp.displayName, cvr: idp.cvr }));

  if (enabled) {
    app.get("/selfcheck", (req, res) => {
      const q = typeof req.query["q"] === "string" ? req.query["q"].slice(0, MAX_QUERY_CHARS) : "";
      res.setHeader("Cache-Control", "no-store");
      // The start form is redirected on to the chosen IdP (Chromium applies form-action to the whole chain).
      res.setHeader("Content-Security-Policy", `default-src 'none'; script-src 'self'; style-src 'self'; form-action 'self' ${deps.pageOptions().chooserFormOrigins.join(" ")}; frame-ancestors 'none'; base-uri 'none'`);
      res.type("html").send(selfCheckChooserPage(filterIdps(choosable(), q), q, environmentOf(res)));
    });
    app.post("/selfcheck/start", deps.requireForm, deps.form, async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const idp = typeof body["idp"] === "string" ? broker.registry.identityProvider(body["idp"]) : undefined;
      if (!idp) {
        broker.log.warn({ correlationId: correlationIdOf(res), reason: "selfcheck_unknown_idp" }, "self-check refused");
        sendErrorPage(res, 400, "Ukendt IdP / Unknown IdP", "Selvtjek kan kun køres for IdP'er, der er registreret hos brokeren. / The self-check runs only for IdPs registered with the broker.", correlationIdOf(res));
        return;
      }
      const level = selfCheckLevel(body["level"]);
      if (!level) {
        broker.log.warn({ correlationId: correlationIdOf(res), reason: "selfcheck_unknown_level" }, "self-check refused");
        sendErrorPage(res, 400, "Ukendt niveau / Unknown level", "Vælg et af de niveauer, selvtjekket tilbyder. / Choose one of the levels the self-check offers.", correlationIdOf(res));
        return;
      }
      const started = await service.start(idp, correlationIdOf(res), level);
      sendInteraction(res, started.interaction, deps.pageOptions());
    });
    app.get(/^\/selfcheck\/report\/([A-Za-z0-9_-]{24})(\.json)?$/, async (req, res) => {
      const params = req.params as Record<string, string | undefined>;
      const reportId = params["0"] ?? "";
      // Only the browser that ran the test reads its report.
      const owned = bindingMatches(reportId, readCookies(req.headers.cookie).get(REPORT_COOKIE));
      const report = owned ? await service.report(reportId) : undefined;
      if (!report) {
        sendErrorPage(res, 404, "Rapporten findes ikke / Report not found", "Rapporten er udløbet eller findes ikke. Kør selvtjekket igen. / The report has expired or does not exist. Run the self-check again.", correlationIdOf(res));
        return;
      }
      res.setHeader("Cache-Control", "no-store");
      if (params["1"] === ".json") {
        res.setHeader("Content-Disposition", `attachment; filename="selfcheck-${report.idp.id}.json"`);
        res.type("application/json").send(JSON.stringify(report, null, 2));
        return;
      }
      res.type("html").send(selfCheckReportPage(report, reportId, environmentOf(res)));
    });
  }

  return {
    async finish(req, res, diverted, answerUrl) {
      const state = "answer" in diverted.outcome ? diverted.outcome.answer.state : diverted.outcome.failure.state;
      res.locals["correlationId"] = state.request.correlationId;
      res.setHeader("X-Correlation-Id", state.request.correlationId);
      // Over https the answer must come back in the browser that was sent to the IdP (the report holds the person's data).
      const binding = state.browserBinding;
      if (binding) {
        releaseBindingCookie(res, binding.key, answerUrl, deps.pageOptions().secureCookies);
        if (!bindingMatches(binding.value, presentedBindings(req)(binding.key))) {
          broker.log.warn({ correlationId: state.request.correlationId, reason: "browser_binding_mismatch", event: "selfcheck_refused" }, "self-check answer arrived in another browser");
          sendErrorPage(res, 403, "Selvtjek afbrudt / Self-check stopped", "Svaret kom ikke tilbage til den browser, der startede selvtjekket. Start forfra. / The answer did not come back to the browser that started the self-check. Start again.", state.request.correlationId);
          return;
        }
      }
      if (!enabled) {
        sendErrorPage(res, 404, "Siden findes ikke / Not found", "Selvtjek er ikke slået til. / The self-check is not enabled.", state.request.correlationId);
        return;
      }
      const { reportId } = await service.finish(diverted);
      res.cookie(REPORT_COOKIE, reportId, { httpOnly: true, sameSite: "lax", secure: deps.pageOptions().secureCookies, path: "/selfcheck/report", maxAge: REPORT_TTL_SECONDS * 1000 });
      res.redirect(303, `/selfcheck/report/${reportId}`);
    },
  };
}
