/** What the browser is told to do next. Frontends and backends produce these; the HTTP edge renders them. */
export type Interaction =
  | { kind: "redirect"; url: string; bind?: UpstreamBinding | undefined }
  | { kind: "post"; url: string; fields: Record<string, string>; notice?: Notice | undefined; bind?: UpstreamBinding | undefined }
  | { kind: "choose-municipality"; loginId: string; browserBinding: string; options: Array<{ id: string; name: string; cvr: string }> }
  /** The logout page that tells the fagsystemer reachable only through the browser, each in a hidden frame, then goes on. */
  | { kind: "logout-frames"; runId: string; steps: number[]; waitSeconds: number }
  /** The end of a logout: what was logged out and what may not have been, and the answer to the party that began it. */
  | { kind: "logout-summary"; correlationId: string; entries: LogoutSummaryEntry[]; complete: boolean; next: Interaction | undefined };

export interface LogoutSummaryEntry {
  name: string;
  loggedOut: boolean;
}

/**
 * A refusal the person should read before the answer goes to the fagsystem:
 * the page shows it with the correlation id and a button that posts the
 * (error) answer on, instead of submitting it unseen.
 */
export interface Notice {
  title: string;
  message: string;
  correlationId: string;
}

export function withNotice(interaction: Interaction, notice: Notice): Interaction {
  return interaction.kind === "post" ? { ...interaction, notice } : interaction;
}

/**
 * Sending the browser to an upstream whose answer must come back in the same
 * browser: the edge sets a cookie named by `key` holding `value`, sent back
 * only to `answerPath` (the ACS or the OIDC callback).
 */
export interface UpstreamBinding {
  key: string;
  value: string;
  answerPath: string;
}

/** The interaction with the browser binding attached (none when the login is not bound). */
export function withBinding(interaction: Interaction, binding: { key: string; value: string } | undefined, answerUrl: string): Interaction {
  if (!binding || (interaction.kind !== "redirect" && interaction.kind !== "post")) return interaction;
  return { ...interaction, bind: { ...binding, answerPath: new URL(answerUrl).pathname } };
}
