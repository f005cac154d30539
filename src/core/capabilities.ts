/**
 * What a storage can do beyond the required operations, read off the
 * optional methods it has (core/Storage.ts). Front doors ask here (FEAT,
 * which verbs answer 502, the send path) rather than probing methods
 * themselves, so a new optional operation is added in one place.
 */
import type { Storage } from './Storage.js';

export interface Capabilities {
  /** APPE, and REST before STOR. */
  readonly writeInPlace: boolean;
  /** MFMT, and the set form of MDTM. */
  readonly setModifiedTime: boolean;
  /** SITE CHMOD; listings show permission bits only where they exist. */
  readonly chmod: boolean;
  /** Reads into the sender's own buffers (the pooled send path). */
  readonly fastRead: boolean;
  /** Some digests are known without reading the file (HASH answers at once). */
  readonly knownDigests: boolean;
}

export function capabilitiesOf(storage: Storage): Capabilities {
  return {
    writeInPlace: typeof storage.openWriteAt === 'function',
    setModifiedTime: typeof storage.setModifiedTime === 'function',
    chmod: typeof storage.chmod === 'function',
    fastRead: typeof storage.openReader === 'function',
    knownDigests: typeof storage.knownDigest === 'function',
  };
}
