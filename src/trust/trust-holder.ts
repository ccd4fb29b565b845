/**
 * The trust in force. The broker reads `current()` at every use (through
 * BrokerContext.registry), so a refreshed registry takes effect for the next
 * request; a login in flight that reads it again sees the new one.
 */
import type { TrustRegistry } from "./registry.js";

export class TrustHolder {
  constructor(private registry: TrustRegistry) {}

  current(): TrustRegistry {
    return this.registry;
  }

  replace(next: TrustRegistry): void {
    this.registry = next;
  }
}
