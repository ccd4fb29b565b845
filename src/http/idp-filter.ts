/** Filtering the municipalities by what a person typed: name or CVR, case-insensitive; an empty query keeps them all. */
export interface ChoosableIdp {
  id: string;
  name: string;
  cvr: string;
}

export const MAX_QUERY_CHARS = 100;

export function filterIdps<T extends ChoosableIdp>(idps: readonly T[], query: string | undefined): T[] {
  const wanted = (query ?? "").slice(0, MAX_QUERY_CHARS).trim().toLocaleLowerCase("da");
  if (wanted === "") return [...idps];
  return idps.filter((idp) => idp.name.toLocaleLowerCase("da").includes(wanted) || idp.cvr.includes(wanted));
}
