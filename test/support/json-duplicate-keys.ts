/**
 * The keys that occur more than once in one JSON object of a JSON text
 * (JSON.parse keeps only the last of them silently). Expects valid JSON:
 * parse it with JSON.parse first.
 */
export function duplicateKeys(text: string): string[] {
  const duplicates: string[] = [];
  let at = 0;
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  const readString = (): string => {
    const start = at;
    at++; // opening quote
    while (text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const readValue = (path: string): void => {
    skipSpace();
    const c = text[at];
    if (c === "{") {
      at++;
      const seen = new Set<string>();
      skipSpace();
      if (text[at] === "}") {
        at++;
        return;
      }
      for (;;) {
        skipSpace();
        const key = readString();
        if (seen.has(key)) duplicates.push(`${path}${key}`);
        seen.add(key);
        skipSpace();
        at++; // colon
        readValue(`${path}${key}.`);
        skipSpace();
        if (text[at++] === "}") return;
      }
    }
    if (c === "[") {
      at++;
      skipSpace();
      if (text[at] === "]") {
        at++;
        return;
      }
      for (;;) {
        readValue(`${path}[].`);
        skipSpace();
        if (text[at++] === "]") return;
      }
    }
    if (c === '"') {
      readString();
      return;
    }
    while (at < text.length && !/[\s,\]}]/.test(text[at]!)) at++; // number, true, false, null
  };
  readValue("");
  return duplicates;
}
