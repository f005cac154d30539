/**
 * Where a browser test checks what the server did, outside the server: the
 * served folder on disk, or the served prefix of an S3 bucket. Paths are the
 * user's (`/a/b.txt`).
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run } from '../helpers/processes.js';

export interface Store {
  readonly kind: 'local' | 's3';
  /** The file's bytes, or null when there is none. */
  read(p: string): Promise<Buffer | null>;
  write(p: string, data: Buffer | string): Promise<void>;
}

export function localStore(root: string): Store {
  const at = (p: string) => path.join(root, ...p.split('/').filter(Boolean));
  return {
    kind: 'local',
    read: async (p) => {
      try {
        return await fs.promises.readFile(at(p));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    write: async (p, data) => {
      await fs.promises.mkdir(path.dirname(at(p)), { recursive: true });
      await fs.promises.writeFile(at(p), data);
    },
  };
}

export function s3Store(client: S3Client, bucket: string, prefix: string): Store {
  const key = (p: string) => prefix + p.replace(/^\/+/, '');
  return {
    kind: 's3',
    read: async (p) => {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key(p) }));
        return Buffer.from(await out.Body!.transformToByteArray());
      } catch (err) {
        if ((err as { name?: string }).name === 'NoSuchKey') return null;
        throw err;
      }
    },
    write: async (p, data) => {
      const body = Buffer.from(data);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key(p), Body: body, ContentLength: body.length }));
    },
  };
}

/** The members of a zip file and their bytes, read by Python's zipfile: a reader that is not ours. */
export async function unzip(file: string): Promise<Map<string, Buffer>> {
  const script = [
    'import base64, json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'bad = z.testzip()',
    'assert bad is None, bad',
    'print(json.dumps({i.filename: base64.b64encode(z.read(i)).decode() for i in z.infolist() if not i.is_dir()}))',
  ].join('\n');
  const result = await run('/usr/bin/python3', ['-c', script, file], { timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`python3 zipfile failed on ${file}: ${result.stderr}`);
  const members = JSON.parse(result.stdout) as Record<string, string>;
  return new Map(Object.entries(members).map(([name, b64]) => [name, Buffer.from(b64, 'base64')]));
}
