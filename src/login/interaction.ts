/** What the browser is told to do next. Frontends and backends produce these; the HTTP edge renders them. */
export type Interaction =
  | { kind: "redirect"; url: string }
  | { kind: "post"; url: string; fields: Record<string, string> }
  | { kind: "choose-municipality"; loginId: string; browserBinding: string; options: Array<{ id: string; name: string }> };
