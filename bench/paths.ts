/** Where the side-by-side benchmark's pieces are, from its compiled files in dist/bench/. */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The bench/ sources: the Python launcher, the results, the private npm folder of ftp-srv. */
export const BENCH_SOURCES = path.join(REPO_ROOT, 'bench');
/** The compiled bench/, where the child-process entry points are. */
export const BENCH_DIST = path.join(REPO_ROOT, 'dist/bench');
export const SOCKFTP_CLI = path.join(REPO_ROOT, 'dist/src/cli/main.js');
/** ftp-srv is a benchmark peer only, so it lives in its own git-ignored npm folder, not in package.json. */
export const PEERS_PREFIX = path.join(BENCH_SOURCES, '.peers');
export const RESULTS_DIR = path.join(BENCH_SOURCES, 'results');
export const LOOPBACK = '127.0.0.1';
export const MiB = 1024 * 1024;
