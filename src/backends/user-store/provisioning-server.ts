/**
 * The user store's provisioning endpoint: a listener of its own (HTTPS,
 * client certificate required) where a municipality sends its users' records
 * for the SEB profile. Each municipality is pinned to its client
 * certificate(s) by SHA-256 fingerprint; a certificate the listener does not
 * know ends the TLS handshake, one pinned to another municipality is refused
 * (403). A batch is checked whole before anything is stored: one malformed
 * record refuses the batch (400, naming the record and field) and stores
 * nothing. Records are never logged.
 *
 *   PUT    /user-store/v1/municipalities/{cvr}/users            { "users": [{ "userId": "...", "cpr": "..." }] }
 *   DELETE /user-store/v1/municipalities/{cvr}/users/{userId}
 */
import { createServer, type Server } from "node:https";
import { readFileSync } from "node:fs";
import { X509Certificate, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import express, { type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import type { Logger } from "../../observability/logger.js";
import type { UserStoreConfig } from "../../config/user-store-schema.js";
import { userRecordSchema, type UserRecordStore } from "./user-records.js";

const MAX_RECORDS = 10_000;

const batchSchema = z.object({ users: z.array(userRecordSchema).min(1).max(MAX_RECORDS) }).strict();

/** The SHA-256 fingerprint as Node's TLS reports it (AA:BB:...). */
function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

export interface ProvisioningServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

interface Pinned {
  /** Client certificate fingerprint → the CVRs it may provision for. */
  byFingerprint: Map<string, Set<string>>;
  municipalities: Set<string>;
  certificates: string[];
}

function pin(config: UserStoreConfig): Pinned {
  const byFingerprint = new Map<string, Set<string>>();
  const certificates: string[] = [];
  for (const municipality of config.municipalities) {
    for (const path of municipality.clientCertificates) {
      const pem = readFileSync(path, "utf8");
      certificates.push(pem);
      const fingerprint = fingerprintOf(pem);
      const cvrs = byFingerprint.get(fingerprint) ?? new Set<string>();
      cvrs.add(municipality.cvr);
      byFingerprint.set(fingerprint, cvrs);
    }
  }
  // Self-signed client certificates are their own trust anchors; CA-issued ones chain to clientCa. Either way the fingerprint pin decides.
  for (const path of config.clientCa) certificates.push(readFileSync(path, "utf8"));
  return { byFingerprint, municipalities: new Set(config.municipalities.map((m) => m.cvr)), certificates };
}

function refuse(res: Response, status: number, error: string, description: string, correlationId: string, details?: unknown): void {
  res.status(status).json({ error, error_description: description, correlationId, ...(details === undefined ? {} : { details }) });
}

export function provisioningApp(config: UserStoreConfig, records: UserRecordStore, log: Logger, pinned: Pinned): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use((req, res, next) => {
    res.locals["correlationId"] = randomUUID();
    res.setHeader("Cache-Control", "no-store");
    next();
  });
  // Which municipality this client is, by its pinned certificate, for the CVR in the path.
  const authorise = (req: Request<{ cvr: string }>, res: Response, next: NextFunction): void => {
    const correlationId = String(res.locals["correlationId"]);
    const cvr = req.params.cvr;
    const fingerprint = (req.socket as TLSSocket).getPeerCertificate().fingerprint256;
    const allowed = fingerprint ? pinned.byFingerprint.get(fingerprint) : undefined;
    if (!pinned.municipalities.has(cvr)) {
      log.warn({ event: "user_store_refused", reason: "unknown_municipality", cvr: cvr.slice(0, 16), correlationId }, "user store: provisioning for a municipality not registered");
      refuse(res, 403, "unknown_municipality", `municipality ${cvr.slice(0, 16)} is not registered for the user store`, correlationId);
      return;
    }
    if (!allowed?.has(cvr)) {
      log.warn({ event: "user_store_refused", reason: "wrong_client_certificate", cvr, correlationId }, "user store: client certificate not pinned for this municipality");
      refuse(res, 403, "wrong_client_certificate", `the client certificate is not registered for municipality ${cvr}`, correlationId);
      return;
    }
    next();
  };
  app.put("/user-store/v1/municipalities/:cvr/users", authorise, express.json({ limit: config.maxBodyBytes, strict: true, type: () => true }), async (req: Request<{ cvr: string }>, res, next) => {
    const correlationId = String(res.locals["correlationId"]);
    const parsed = batchSchema.safeParse(req.body);
    if (!parsed.success) {
      const details = parsed.error.issues.slice(0, 20).map((issue) => ({ path: issue.path.join("."), message: issue.message }));
      log.warn({ event: "user_store_refused", reason: "malformed_records", cvr: req.params.cvr, correlationId, problems: parsed.error.issues.length }, "user store: malformed records, nothing stored");
      refuse(res, 400, "malformed_records", "the records are malformed; nothing was stored", correlationId, details);
      return;
    }
    try {
      for (const record of parsed.data.users) await records.put(req.params.cvr, record);
    } catch (error) {
      next(error);
      return;
    }
    log.info({ event: "user_store_provisioned", cvr: req.params.cvr, count: parsed.data.users.length, correlationId }, "user store: records provisioned");
    res.json({ stored: parsed.data.users.length, correlationId });
  });
  app.delete("/user-store/v1/municipalities/:cvr/users/:userId", authorise, async (req: Request<{ cvr: string; userId: string }>, res, next) => {
    try {
      const removed = await records.remove(req.params.cvr, req.params.userId);
      log.info({ event: "user_store_removed", cvr: req.params.cvr, removed, correlationId: res.locals["correlationId"] }, "user store: record removed");
      res.status(removed ? 204 : 404).end();
    } catch (error) {
      next(error);
    }
  });
  app.use((req, res) => refuse(res, 404, "not_found", "no such endpoint", String(res.locals["correlationId"])));
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const correlationId = String(res.locals["correlationId"]);
    const type = (error as { type?: unknown }).type;
    if (type === "entity.parse.failed") return refuse(res, 400, "malformed_records", "the body is not JSON; nothing was stored", correlationId);
    if (type === "entity.too.large") return refuse(res, 413, "too_large", `the body is larger than ${config.maxBodyBytes} bytes; nothing was stored`, correlationId);
    log.error({ event: "user_store_failed", err: error, correlationId }, "user store: request failed");
    refuse(res, 503, "unavailable", "the user store could not take the records; try again", correlationId);
  });
  return app;
}

/** Starts the provisioning listener (mutual TLS: the pinned client certificates are its only trust anchors). */
export async function startProvisioningServer(config: UserStoreConfig, records: UserRecordStore, log: Logger): Promise<ProvisioningServer> {
  const pinned = pin(config);
  const server = createServer(
    { key: readFileSync(config.tls.key, "utf8"), cert: readFileSync(config.tls.cert, "utf8"), ca: pinned.certificates, requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.2" },
    provisioningApp(config, records, log, pinned),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ event: "user_store_listening", port, municipalities: config.municipalities.length }, "user store provisioning listening (mutual TLS)");
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
