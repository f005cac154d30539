/** The full results as JSON: bench/results/latest.json, and a copy named after the date that is never overwritten. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RESULTS_DIR } from '../paths.js';

/** Writes both files and returns their paths. */
export function writeResults(results: Readonly<Record<string, unknown>> & { readonly date: string; readonly mode: string }): string[] {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const text = `${JSON.stringify(results, null, 2)}\n`;
  // 2026-11-25T17-50-21Z-quick.json: sortable, and no colons for file systems that refuse them.
  const dated = path.join(RESULTS_DIR, `${results.date.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}-${results.mode}.json`);
  const latest = path.join(RESULTS_DIR, 'latest.json');
  for (const file of [dated, latest]) fs.writeFileSync(file, text);
  return [dated, latest];
}
