/**
 * The broker's own keys, with a rollover: a next signing key and a next
 * encryption key may be configured beside the current ones. From then on both
 * are published in the broker's metadata and both encryption keys decrypt.
 * Signing switches to the next key at a configured instant, or when an
 * operator says so (`npm run keys -- rollover`, or SIGUSR2 to a process),
 * which every instance sharing the store sees within seconds. The old keys
 * are retired by making the next ones current in the configuration.
 */
import type { KeyMaterial } from "./key-material.js";

export interface KeyPairs {
  signing: KeyMaterial;
  encryption: KeyMaterial;
}

/** What the rest of the broker reads. `signing` is the key in use now. */
export interface BrokerKeys {
  readonly signing: KeyMaterial;
  /** The current encryption key (the next one, during a rollover, decrypts too: `decryption`). */
  readonly encryption: KeyMaterial;
  /** Every key the broker may have been encrypted to. */
  readonly decryption: readonly KeyMaterial[];
  /** The signing certificates to publish, the one in use first. */
  readonly publishedSigning: readonly KeyMaterial[];
  /** The encryption certificates to publish. */
  readonly publishedEncryption: readonly KeyMaterial[];
}

/** Plain keys, no rollover (tests, tools). */
export function fixedKeys(keys: KeyPairs): BrokerKeys {
  return { ...keys, decryption: [keys.encryption], publishedSigning: [keys.signing], publishedEncryption: [keys.encryption] };
}

export class KeyRing implements BrokerKeys {
  private switched = false;

  constructor(
    private readonly current: KeyPairs,
    private readonly next: KeyPairs | undefined,
    /** When signing moves to the next key by itself (ms), if configured. */
    private readonly switchAt: number | undefined,
    private readonly now: () => number,
  ) {}

  /** Whether signing has moved to the next key. */
  get signingSwitched(): boolean {
    return this.next !== undefined && (this.switched || (this.switchAt !== undefined && this.now() >= this.switchAt));
  }

  /** An operator's rollover (seen in the store, or a signal): signing moves to the next key now. Returns false when none is configured. */
  switchSigning(): boolean {
    if (!this.next) return false;
    this.switched = true;
    return true;
  }

  get hasNext(): boolean {
    return this.next !== undefined;
  }

  get signing(): KeyMaterial {
    return this.signingSwitched ? this.next!.signing : this.current.signing;
  }

  get encryption(): KeyMaterial {
    return this.current.encryption;
  }

  get decryption(): readonly KeyMaterial[] {
    return this.next ? [this.current.encryption, this.next.encryption] : [this.current.encryption];
  }

  get publishedSigning(): readonly KeyMaterial[] {
    if (!this.next) return [this.current.signing];
    return this.signingSwitched ? [this.next.signing, this.current.signing] : [this.current.signing, this.next.signing];
  }

  get publishedEncryption(): readonly KeyMaterial[] {
    return this.next ? [this.current.encryption, this.next.encryption] : [this.current.encryption];
  }
}
