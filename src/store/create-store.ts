import { MemoryStore } from "./memory-store.js";
import type { StateStore } from "./state-store.js";

/** Chooses the store from configuration: "memory" (default). */
export async function createStore(url: string): Promise<StateStore> {
  if (url === "memory") return new MemoryStore();
  throw new Error(`unsupported store url ${url.replace(/\/\/[^@]*@/, "//***@")}`);
}
