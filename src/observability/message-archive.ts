/**
 * NemLog-in's messages, kept as they were sent and received: NemLog-in
 * requires a connected system to keep its request and response messages,
 * signatures included, for 180 days. One JSON line per message in a file of
 * its own (`audit.nemloginMessages`), rotated like the audit file and pruned
 * after its own retention (at least 180 days, whatever the audit file's).
 * A message that cannot be kept stops the step-up (fail closed): `keep`
 * throws AuditUnavailableError.
 */
import { dirname, join } from "node:path";
import type { BrokerContext } from "../broker-context.js";
import type { Logger } from "./logger.js";
import { AuditFile, type AuditFileSettings } from "./audit-file.js";
import { AuditUnavailableError } from "./audit.js";

export const NEMLOGIN_MESSAGE_KIND = "nemlogin-message";

/** One message as it went over the wire. */
export interface KeptMessage {
  correlationId: string;
  /** The broker's AuthnRequest to the upstream, or the upstream's Response. */
  direction: "request" | "response";
  binding: "redirect" | "post";
  /** The request's ID (for a Response: the InResponseTo it names). */
  messageId: string;
  /** The XML as sent or received (a POST message with its enveloped signature). */
  xml: string;
  /** HTTP-Redirect: the whole URL sent, whose SigAlg and Signature parameters are the message's signature. */
  url?: string | undefined;
}

export interface MessageRecord extends KeptMessage {
  kind: typeof NEMLOGIN_MESSAGE_KIND;
  at: string;
  upstream: string;
}

export class MessageArchive {
  private readonly writer: AuditFile | undefined;

  constructor(
    private readonly log: Logger,
    private readonly upstream: string,
    readonly settings: AuditFileSettings | undefined,
    private readonly now: () => number,
  ) {
    this.writer = settings && new AuditFile(settings, now);
  }

  /** Appends the message; throws AuditUnavailableError when it could not be written. Without a file configured nothing is kept. */
  async keep(message: KeptMessage): Promise<void> {
    if (!this.writer || !this.settings) return;
    const record: MessageRecord = { kind: NEMLOGIN_MESSAGE_KIND, at: new Date(this.now()).toISOString(), upstream: this.upstream, ...message };
    try {
      await this.writer.write(JSON.stringify(record));
    } catch (error) {
      const detail = (error as Error).message;
      this.log.error({ audit: true, event: "audit_write_failed", file: this.settings.file, correlationId: message.correlationId, detail }, `could not keep ${this.upstream}'s message`);
      throw new AuditUnavailableError(`the ${message.direction} message could not be written to ${this.settings.file}`);
    }
  }
}

/** Where NemLog-in's messages go: `audit.nemloginMessages.file`, else `nemlogin-messages.jsonl` next to the audit file, else nowhere. */
export function nemLogInArchiveSettings(audit: BrokerContext["config"]["audit"]): AuditFileSettings | undefined {
  const file = audit.nemloginMessages.file ?? (audit.file === undefined ? undefined : join(dirname(audit.file), "nemlogin-messages.jsonl"));
  if (file === undefined) return undefined;
  return { file, rotateBytes: audit.rotateBytes, rotateDaily: audit.rotateDaily, retentionDays: audit.nemloginMessages.retentionDays };
}

const archives = new WeakMap<BrokerContext, MessageArchive>();

/** The broker's archive of NemLog-in's messages (one per running broker). */
export function nemLogInArchive(broker: BrokerContext): MessageArchive {
  let archive = archives.get(broker);
  if (!archive) {
    const settings = nemLogInArchiveSettings(broker.config.audit);
    if (!settings && broker.config.nemlogin) {
      broker.log.warn({ event: "nemlogin_messages_not_kept" }, "NemLog-in's messages are not kept: set audit.file or audit.nemloginMessages.file (NemLog-in requires 180 days)");
    }
    archive = new MessageArchive(broker.log, "nemlogin", settings, broker.now);
    archives.set(broker, archive);
  }
  return archive;
}
