/** What the browser is told to do next. Frontends and backends produce these; the HTTP edge renders them. */
export type Interaction =
  | { kind: "redirect"; url: string }
  | { kind: "post"; url: string; fields: Record<string, string>; notice?: Notice | undefined }
  | { kind: "choose-municipality"; loginId: string; browserBinding: string; options: Array<{ id: string; name: string }> };

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
