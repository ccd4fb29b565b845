/** Tiny typed HTML templating: every interpolated value is escaped unless wrapped in `raw`. */
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export class RawHtml {
  constructor(readonly value: string) {}
}

export function raw(value: string): RawHtml {
  return new RawHtml(value);
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Value = string | number | RawHtml | RawHtml[] | undefined | null | false;

export function html(strings: TemplateStringsArray, ...values: Value[]): RawHtml {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    if (value instanceof RawHtml) out += value.value;
    else if (Array.isArray(value)) out += value.map((v) => v.value).join("");
    else if (value !== undefined && value !== null && value !== false) out += escapeHtml(String(value));
    out += strings[i + 1] ?? "";
  });
  return new RawHtml(out);
}
