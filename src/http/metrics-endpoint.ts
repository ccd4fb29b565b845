/** GET /metrics: the Prometheus registry, optionally behind a bearer token. */
import { timingSafeEqual } from "node:crypto";
import type { Request, Response } from "express";
import type { BrokerConfig } from "../config/schema.js";
import { metricsRegistry } from "../observability/metrics.js";

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith("Bearer ") ? header.slice(7) : "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function metricsHandler(config: BrokerConfig["metrics"]) {
  return async (req: Request, res: Response): Promise<void> => {
    if (config.token !== undefined && !tokenMatches(req.headers.authorization, config.token)) {
      res.setHeader("WWW-Authenticate", "Bearer");
      res.status(401).type("text").send("unauthorized\n");
      return;
    }
    res.setHeader("Cache-Control", "no-store");
    res.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  };
}
