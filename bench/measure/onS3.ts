/**
 * The tests of the run on an S3 bucket. Where the run on a local tree has the
 * test already, it is used as is (the same client, the same timing), with the
 * raw SDK as its ceiling: the same transfer by GetObject, PutObject or
 * lib-storage's Upload in this process, "what the store gives without FTP".
 *
 * The reused tests read their fixture through before measuring and make and
 * remove their upload directories in it. Here that fixture is a local tree of
 * the same names, empty (shadowFixture): RGW's memstore holds every object in
 * memory, so there is nothing to warm, and the bucket's side is done here.
 */
import { Fixture } from '../Fixture.js';
import { useFreshMemory } from '../pageCache.js';
import { MiB } from '../paths.js';
import { percentile } from '../report/statistics.js';
import type { Bucket } from '../s3/Bucket.js';
import { inSession, secondsSince, type BenchTest, type Measurement } from './BenchTest.js';
import { bigRetrieveTest } from './bigTransfers.js';
import { listingsTest } from './listings.js';
import { manyClientsTest } from './manyClients.js';
import { smallFilesTest } from './smallFiles.js';

/** As bigTransfers.ts: the upload lands in memory that was just used (the VM hands free memory back). */
const FRESH_MEMORY_FACTOR = 1.25;
/** The raw SDK's uploads go here, as each server's go to `stor-NAME.bin`. */
const SDK = 'sdk';

/** Empty files and directories under the names the reused tests read through: see the file comment. */
export function shadowFixture(root: string, owner: { uid: number; gid: number }): Fixture {
  return Fixture.build(root, { bigBytes: 0, clientFileBytes: 0, listEntries: 0 }, owner);
}

/** Objects `big.bin`, `ten.bin` and `entries/entry-NNNNN.txt`, which both FTP servers see, since both serve the bucket. */
export async function putFixture(bucket: Bucket, sizes: { bigBytes: number; clientFileBytes: number; listEntries: number }): Promise<void> {
  await bucket.putRandom(Fixture.BIG, sizes.bigBytes);
  await bucket.putRandom(Fixture.CLIENT_FILE, sizes.clientFileBytes);
  await bucket.putEmpty(`${Fixture.LIST_DIR}/`, sizes.listEntries);
}

export function retrieveOnS3(bucket: Bucket, bytes: number, repetitions: number): BenchTest {
  return {
    ...bigRetrieveTest(bytes, repetitions),
    async ceiling() {
      let received = 0;
      const took = await seconds(async () => void (received = await bucket.get(Fixture.BIG)));
      if (received !== bytes) throw new Error(`GetObject gave ${received} of ${bytes} bytes`);
      return { values: { mibPerSecond: bytes / MiB / took } };
    },
  };
}

/**
 * STOR of `bytes`, done when the object is in the bucket with all its bytes,
 * then deleted so that the store holds only the fixture between rounds.
 * vsftpd answers 226 before it closes the file, and s3fs uploads on close
 * (the session's next command waits for it): there the store is polled until
 * the object is whole, and both times are kept. `id` tells the 256 MiB rounds
 * from the 1 GiB one that watches sockftp's memory.
 */
export function storeOnS3(id: string, bucket: Bucket, bytes: number, repetitions: number, withCeiling: boolean): BenchTest {
  const stored = async (key: string, upload: () => Promise<unknown>, work: string): Promise<Measurement> => {
    useFreshMemory(work, bytes * FRESH_MEMORY_FACTOR);
    try {
      const start = performance.now();
      await upload();
      const replySeconds = secondsSince(start);
      await bucket.waitForSize(key, bytes);
      const storedSeconds = secondsSince(start);
      return { values: { mibPerSecond: bytes / MiB / storedSeconds }, details: { replySeconds, storedSeconds } };
    } finally {
      await bucket.remove(key);
    }
  };
  const key = (subject: string) => `stor-${subject}.bin`;
  return {
    id,
    repetitions,
    measure: (server, { login, work }) => inSession(server, login, (client) => stored(key(server.name), () => client.store(key(server.name), bytes), work)),
    ...(withCeiling && { ceiling: ({ work }) => stored(key(SDK), () => bucket.upload(key(SDK), bytes), work) }),
  };
}

/** smallFiles.ts's test, with its directory `small-NAME/` made in the bucket before and removed after. */
export function smallFilesOnS3(bucket: Bucket, count: number, fileBytes: number, repetitions: number): BenchTest {
  const test = smallFilesTest(count, fileBytes, repetitions);
  const inDirectory = async (subject: string, measure: (dir: string) => Promise<Measurement>) => {
    // The name smallFiles.ts uploads into.
    const dir = `small-${subject}/`;
    await bucket.putDirectory(dir);
    try {
      return await measure(dir);
    } finally {
      await bucket.remove(dir);
    }
  };
  return {
    ...test,
    measure: (server, context) => inDirectory(server.name, () => test.measure(server, context)),
    ceiling: () =>
      inDirectory(SDK, async (dir) => {
        const keys = Array.from({ length: count }, (_, i) => `${dir}f${String(i).padStart(5, '0')}.bin`);
        const storeSeconds = await seconds(async () => {
          for (const key of keys) await bucket.put(key, fileBytes);
        });
        const retrieveSeconds = await seconds(async () => {
          for (const key of keys) if ((await bucket.get(key)) !== fileBytes) throw new Error(`${key}: not ${fileBytes} bytes`);
        });
        return { values: { storeFilesPerSecond: count / storeSeconds, retrieveFilesPerSecond: count / retrieveSeconds } };
      }),
  };
}

/** listings.ts's test; the SDK's one listing (ListObjectsV2 with a delimiter, page after page) stands beside both LIST and MLSD. */
export function listingsOnS3(bucket: Bucket, entries: number, repetitions: number): BenchTest {
  return {
    ...listingsTest(entries, repetitions),
    async ceiling() {
      const start = performance.now();
      const listed = await bucket.list(`${Fixture.LIST_DIR}/`);
      const seconds = secondsSince(start);
      if (listed < entries) throw new Error(`ListObjectsV2 gave ${listed} entries of ${entries}`);
      return { values: { LISTSeconds: seconds, MLSDSeconds: seconds } };
    },
  };
}

/** manyClients.ts's test; the SDK's clients are `clients` GetObjects at once on its pool of kept-alive connections. */
export function manyClientsOnS3(bucket: Bucket, clients: number, fileBytes: number, repetitions: number): BenchTest {
  return {
    ...manyClientsTest(clients, fileBytes, repetitions),
    async ceiling() {
      const start = performance.now();
      const outcomes = await Promise.allSettled(
        Array.from({ length: clients }, async () => {
          if ((await bucket.get(Fixture.CLIENT_FILE)) !== fileBytes) throw new Error(`not ${fileBytes} bytes`);
          return performance.now();
        }),
      );
      const ends = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      const latencies = ends.map((end) => (end - start) / 1000);
      return {
        values: {
          aggregateMibPerSecond: ends.length === 0 ? 0 : (ends.length * fileBytes) / MiB / Math.max(...latencies),
          latencyP50Seconds: ends.length === 0 ? null : percentile(latencies, 50),
          latencyP99Seconds: ends.length === 0 ? null : percentile(latencies, 99),
          failedClients: clients - ends.length,
        },
      };
    },
  };
}

/** How long `work` takes, in seconds. */
async function seconds(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return secondsSince(start);
}
