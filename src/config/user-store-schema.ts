/**
 * Configuration of the user store: data municipalities provision for the
 * SEB profile (the CPR number per user id) through a listener of its own
 * that requires mutual TLS. Each municipality (CVR) is pinned to its client
 * certificate(s). Spliced into the one schema in src/config/schema.ts.
 */
import { z } from "zod";

const cvr = z.string().regex(/^\d{8}$/, "a CVR number is 8 digits");

export const userStoreSchema = z
  .object({
    /** The provisioning listener (HTTPS with client certificates), apart from the broker's own port. */
    host: z.string().min(1).default("0.0.0.0"),
    port: z.number().int().min(1).max(65535),
    /** The listener's own certificate and key (files, PEM). */
    tls: z.object({ cert: z.string().min(1), key: z.string().min(1) }).strict(),
    /** How long a provisioned record is kept; a municipality sends its users again before it runs out. */
    recordTtlSeconds: z.number().int().min(60).max(90 * 86_400).default(7 * 86_400),
    /** CA certificate(s) (files, PEM) that issued municipalities' client certificates, when those are not self-signed; the fingerprint pin still decides. */
    clientCa: z.array(z.string().min(1)).max(16).default([]),
    /** Larger request bodies are refused. */
    maxBodyBytes: z.number().int().min(1_024).max(16 * 1024 * 1024).default(1024 * 1024),
    /** Which municipality may provision, and the client certificate(s) it must present (files, PEM; pinned by SHA-256 fingerprint). */
    municipalities: z
      .array(z.object({ cvr, clientCertificates: z.array(z.string().min(1)).min(1).max(4) }).strict())
      .min(1)
      .superRefine((list, context) => {
        const seen = new Set<string>();
        list.forEach((m, index) => {
          if (seen.has(m.cvr)) context.addIssue({ code: "custom", path: [index, "cvr"], message: `municipality ${m.cvr} is listed twice` });
          seen.add(m.cvr);
        });
      }),
  })
  .strict();

export type UserStoreConfig = z.infer<typeof userStoreSchema>;
