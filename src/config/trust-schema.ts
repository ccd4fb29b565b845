/**
 * The `trust` section of the configuration: how parties' certificates are
 * checked (dates, chain to configured roots, revocation) and how metadata
 * URLs are refreshed. Spliced into the one schema in schema.ts. README,
 * "Metadata sources" and "Certificate checks".
 */
import { z } from "zod";

export const CRL_MODES = ["off", "fail-closed", "fail-open"] as const;
export type CrlMode = (typeof CRL_MODES)[number];

const crlSchema = z
  .object({
    /** off: no revocation check; fail-closed: a certificate whose CRL cannot be had is refused; fail-open: it is kept (logged). */
    mode: z.enum(CRL_MODES).default("fail-closed"),
    /** A cached CRL is fetched again after this long (or at its nextUpdate, whichever is sooner). */
    refreshSeconds: z.number().int().min(60).max(86_400).default(3600),
    timeoutSeconds: z.number().int().min(1).max(60).default(10),
    maxBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(10 * 1024 * 1024),
    /** Where verified CRLs are kept (one file per distribution point), so a restart during a CRL outage uses the last good one until its nextUpdate. */
    cacheDir: z.string().min(1).optional(),
  })
  .strict()
  .prefault({});

/** Parties' signing certificates must chain to one of these roots (OCES3 in production), through these intermediates. */
const chainSchema = z
  .object({
    /** PEM files of the trusted roots (a file may hold several certificates). */
    roots: z.array(z.string().min(1)).min(1),
    /** PEM files of intermediate CAs a party's metadata does not carry (issuing CAs). */
    intermediates: z.array(z.string().min(1)).default([]),
    crl: crlSchema,
  })
  .strict();

export const trustSchema = z
  .object({
    /** Days a signing certificate is still accepted after its notAfter (and before its notBefore). */
    certificateGraceDays: z.number().int().min(0).max(365).default(0),
    /** Parties with a metadataUrl: how often it is fetched again (bounded), and how long one fetch may take. */
    metadataRefresh: z
      .object({
        intervalSeconds: z.number().int().min(60).max(86_400).default(3600),
        timeoutSeconds: z.number().int().min(1).max(60).default(10),
      })
      .strict()
      .prefault({}),
    /** Absent: certificates are pinned by metadata only (no chain, no revocation check). */
    chain: chainSchema.optional(),
  })
  .strict()
  .prefault({});

export type TrustConfig = z.infer<typeof trustSchema>;
export type ChainConfig = z.infer<typeof chainSchema>;
export type CrlConfig = z.infer<typeof crlSchema>;

/** The per-party switches that only a test party may use. */
export const TEST_ONLY_PARTY_SWITCHES = ["allowExpiredCertificate", "skipCertificateChain"] as const;

interface PartySwitches {
  allowExpiredCertificate: boolean;
  skipCertificateChain: boolean;
}

/** In production every certificate is checked against its dates and the configured chain: the test-only overrides are refused. */
export function checkProductionStrictness(
  config: { environment: string; identityProviders: readonly PartySwitches[]; serviceProviders: readonly PartySwitches[]; nemlogin?: PartySwitches | undefined },
  context: z.RefinementCtx,
): void {
  if (config.environment !== "production") return;
  const check = (party: PartySwitches, path: Array<string | number>) => {
    for (const name of TEST_ONLY_PARTY_SWITCHES) {
      if (party[name]) context.addIssue({ code: "custom", path: [...path, name], message: `${name} is for test parties and is refused in production (environment: production)` });
    }
  };
  config.identityProviders.forEach((idp, index) => check(idp, ["identityProviders", index]));
  config.serviceProviders.forEach((sp, index) => check(sp, ["serviceProviders", index]));
  if (config.nemlogin) check(config.nemlogin, ["nemlogin"]);
}
