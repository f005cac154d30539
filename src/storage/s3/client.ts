/**
 * The one S3Client an S3Storage uses, set up for S3-compatible stores as
 * well as AWS. Credentials come from the SDK's default provider chain only.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from './settings.js';

/** A store that does not accept a connection in this long is taken as down (the SDK then retries). */
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * A connection silent this long, request or response body, is taken as dead.
 * An inactivity limit rather than a total one: a multi-gigabyte body that keeps
 * moving is never cut, a peer that stopped answering is.
 */
const SOCKET_TIMEOUT_MS = 60_000;
/** Requests at once per client: a part upload or a download each hold one. */
const MAX_SOCKETS = 64;

export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint !== null && { endpoint: settings.endpoint }),
    forcePathStyle: settings.forcePathStyle,
    // RGW 16 knows neither the CRC32 trailers nor the response checksums that newer SDKs send by default.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      socketTimeout: SOCKET_TIMEOUT_MS,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS, ...caBundle() }),
    },
  });
}

/**
 * AWS_CA_BUNDLE, as the AWS CLI reads it (the JavaScript SDK does not): the
 * certificates to trust for an https endpoint, instead of Node's own. It has
 * no effect on an http endpoint.
 */
function caBundle(): { ca?: Buffer } {
  const file = process.env.AWS_CA_BUNDLE;
  if (!file) return {};
  try {
    return { ca: readFileSync(file) };
  } catch (err) {
    throw new Error(`AWS_CA_BUNDLE=${file} cannot be read: ${(err as Error).message}`);
  }
}
