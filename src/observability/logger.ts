/** Structured JSON logs (pino). Tokens, SAML messages and CPR numbers are redacted. */
import { pino, type Logger as PinoLogger, type DestinationStream } from "pino";

export type Logger = PinoLogger;

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "context-broker" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ["SAMLRequest", "SAMLResponse", "*.SAMLRequest", "*.SAMLResponse", "cpr", "*.cpr", "cookie", "*.cookie", "req.headers.cookie"],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
