/** How HASH (draft-bryan-ftpext-hash-02) shows its algorithms in FEAT; the algorithms themselves are core/digests.ts. */
import { HASH_ALGORITHMS, type HashAlgorithm } from '../../core/digests.js';

/** "HASH SHA-1;SHA-256*;SHA-512;MD5;CRC32": every algorithm, the selected one starred. */
export function formatHashFeature(selected: HashAlgorithm): string {
  return 'HASH ' + HASH_ALGORITHMS.map((a) => (a === selected ? `${a}*` : a)).join(';');
}
