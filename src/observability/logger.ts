/**
 * Structured JSON logs (pino). Tokens, SAML messages and CPR numbers are
 * redacted. Every warning that names a rejection `reason` is also counted in
 * the metrics, and so is every finished login, so logs and /metrics agree.
 */
import { pino, type Logger as PinoLogger, type DestinationStream } from "pino";
import { countRejection, loginsTotal } from "./metrics.js";

export type Logger = PinoLogger;

const WARN = 40;

function countFromLogLine(fields: Record<string, unknown>, bindings: Record<string, unknown>, level: number): void {
  // Rejections are logged at warn or above; an info line with a reason (an SSO session not reused, say) is not one.
  if (level >= WARN && typeof fields["reason"] === "string") countRejection(fields["reason"]);
  const event = fields["event"];
  if (event === "login_succeeded" || event === "login_failed") {
    const sp = typeof fields["sp"] === "string" ? fields["sp"] : typeof bindings["sp"] === "string" ? bindings["sp"] : "unknown";
    loginsTotal.inc({ outcome: event === "login_succeeded" ? "succeeded" : "refused", sp });
  }
}

/** `environment` (production, test, ...) is a field of every line, so logs from several deployments cannot be mixed up. */
export function createLogger(level: string, destination?: DestinationStream, environment?: string): Logger {
  return pino(
    {
      level,
      base: { service: "context-broker", ...(environment === undefined ? {} : { environment }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ["SAMLRequest", "SAMLResponse", "*.SAMLRequest", "*.SAMLResponse", "cpr", "*.cpr", "cookie", "*.cookie", "req.headers.cookie"],
        censor: "[redacted]",
      },
      hooks: {
        logMethod(args, method, level) {
          const first: unknown = args[0];
          if (typeof first === "object" && first !== null) countFromLogLine(first as Record<string, unknown>, this.bindings(), level);
          method.apply(this, args);
        },
      },
    },
    destination,
  );
}
