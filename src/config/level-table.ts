/** The configured NIST ⇄ NSIS conversion (levels.nsisForNist), in the form the level rules use. */
import type { BrokerConfig } from "./schema.js";
import { KOMBIT_NSIS_FOR_NIST, nistFromNsisTable, type NistFromNsisTable } from "../profiles/levels.js";

const cache = new WeakMap<object, NistFromNsisTable>();

export function levelTableOf(config: BrokerConfig): NistFromNsisTable {
  let table = cache.get(config);
  if (!table) {
    table = nistFromNsisTable(config.levels?.nsisForNist ?? KOMBIT_NSIS_FOR_NIST);
    cache.set(config, table);
  }
  return table;
}
