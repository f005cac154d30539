/** Control and passive ports for the servers under test. */
import { randomInt } from 'node:crypto';

/** Linux's ephemeral range starts here: client ports come from above it, so passive ports stay below. */
const EPHEMERAL_START = 32_768;
const LOWEST_PASSIVE = 10_000;

export { freePort } from '../../test/helpers/ports.js';

/**
 * `count` adjacent blocks of `size` passive ports each, one per server, at a
 * random place below the ephemeral range (so that two runs, or the test
 * suite's own peers, rarely want the same ports).
 */
export function passiveBlocks(count: number, size: number): [number, number][] {
  const low = randomInt(LOWEST_PASSIVE, EPHEMERAL_START - count * size);
  return Array.from({ length: count }, (_, i) => [low + i * size, low + (i + 1) * size - 1]);
}
