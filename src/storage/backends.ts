/**
 * The storage backends by the form of their locations, one row each: a home
 * or root that starts with "s3://" is a bucket and prefix (storage/s3/), and
 * anything else a directory on this machine (storage/local/). A row says which
 * locations are its own, what is wrong with one (checked at start, not at the
 * first login), the flags it takes, and how to load it: a backend's code and
 * its SDK are loaded only when one of its homes is first opened, so a server
 * on disk never pays for S3. Adding a backend is a folder and one row here;
 * no door and no CLI file names a backend.
 */
import * as path from 'node:path';
import type { Storage } from '../core/Storage.js';
import type { StorageProvider, SweepReport } from '../core/StorageProvider.js';
import { localBackend } from './local/backend.js';
import { s3Backend } from './s3/backend.js';

/** How a backend reads its flags: the CLI's own checks, so a bad value fails in one line that names the flag. */
export interface FlagReader {
  text(flag: string): string | undefined;
  switch(flag: string): boolean;
  integer(flag: string, min: number, max: number): number;
  /** "90s", "30m", "24h"; a bare number is in `bareUnit`; milliseconds. */
  duration(flag: string, bareUnit: 's' | 'm' | 'h' | 'd', minMs: number, maxMs: number): number;
  /** A value refused for `why`. */
  refuse(flag: string, why: string): never;
}

/** A command-line flag of a backend's own, as commander declares it ("--s3-endpoint <url>"). */
export interface BackendFlag {
  readonly flag: string;
  readonly description: string;
  readonly default?: string;
}

export type SweepListener = (report: SweepReport | { home: string; error: unknown }) => void;

export interface Backend<S = unknown> {
  readonly name: string;
  /** Whether `location` is of this backend's form. */
  matches(location: string): boolean;
  /** What is wrong with a location of this form (a bad bucket name), or null. Pure: no request is made. */
  problem(location: string): string | null;
  readonly flags: readonly BackendFlag[];
  /** Its settings from its flags. */
  settings(read: FlagReader): S;
  /** Loads the backend: a provider for the homes of its form. */
  load(settings: S, onSweep: SweepListener): Promise<StorageProvider>;
}

/** The table; the first row whose form matches takes the location, so the catch-all local row is last. */
const BACKENDS: readonly Backend[] = [s3Backend, localBackend];

function backendOf(location: string): Backend {
  return BACKENDS.find((b) => b.matches(location))!;
}

/** Every backend's flags, for the CLI to declare. */
export function backendFlags(): BackendFlag[] {
  return BACKENDS.flatMap((b) => b.flags);
}

/** Each backend's settings, read from its flags; a bad value throws as the reader does. */
export function readBackendSettings(read: FlagReader): ReadonlyMap<Backend, unknown> {
  return new Map(BACKENDS.map((b) => [b, b.settings(read)]));
}

/**
 * A root or home as it is to be stored and opened: a directory made absolute,
 * another backend's location as it is. Throws an Error saying what is wrong
 * with it (a directory that is not there, a bad bucket name).
 */
export function checkLocation(location: string): string {
  const backend = backendOf(location);
  const normal = backend === (localBackend as Backend) ? path.resolve(location) : location;
  const problem = backend.problem(normal);
  if (problem) throw new Error(backend === (localBackend as Backend) ? problem : `${location}: ${problem}`);
  return normal;
}

class Provider implements StorageProvider {
  private readonly loaded = new Map<Backend, Promise<StorageProvider>>();

  constructor(
    private readonly settings: ReadonlyMap<Backend, unknown>,
    private readonly onSweep: SweepListener,
  ) {}

  async open(home: string): Promise<Storage> {
    return (await this.providerOf(backendOf(home))).open(home);
  }

  async sweep(homes: readonly string[]): Promise<SweepReport[]> {
    const byBackend = new Map<Backend, string[]>();
    for (const home of new Set(homes)) {
      const backend = backendOf(home);
      byBackend.set(backend, [...(byBackend.get(backend) ?? []), home]);
    }
    const reports: SweepReport[] = [];
    for (const [backend, its] of byBackend) reports.push(...(await (await this.providerOf(backend)).sweep(its)));
    return reports;
  }

  async close(): Promise<void> {
    await Promise.all([...this.loaded.values()].map(async (provider) => (await provider).close()));
  }

  private providerOf(backend: Backend): Promise<StorageProvider> {
    let provider = this.loaded.get(backend);
    if (!provider) {
      provider = backend.load(this.settings.get(backend) ?? null, this.onSweep);
      // A backend that failed to load (a missing SDK) is tried again at the next home of its form.
      provider.catch(() => this.loaded.delete(backend));
      this.loaded.set(backend, provider);
    }
    return provider;
  }
}

/** One provider for every account: each home goes to the backend its form names. */
export function createStorageProvider(settings: ReadonlyMap<Backend, unknown>, onSweep: SweepListener = () => undefined): StorageProvider {
  return new Provider(settings, onSweep);
}
