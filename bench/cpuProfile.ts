/**
 * Summarises `node --cpu-prof` profiles (.cpuprofile JSON): the share of
 * samples that were idle, in the garbage collector and in each function's
 * own code (self time), the top ones first.
 *
 *   node dist/bench/cpuProfile.js FILE.cpuprofile [--top 15]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export function selfTimes(profile: Profile): Map<string, number> {
  const names = new Map<number, string>();
  for (const { id, callFrame: f } of profile.nodes) {
    const where = f.url ? ` ${path.basename(f.url)}:${f.lineNumber + 1}` : '';
    names.set(id, `${f.functionName || '(anonymous)'}${where}`);
  }
  // A sample's time is the delta to the next one.
  const times = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const name = names.get(profile.samples[i])!;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    times.set(name, (times.get(name) ?? 0) + dt);
  }
  return times;
}

const args = process.argv.slice(2);
const file = args[0];
if (!file) {
  console.error('usage: node dist/bench/cpuProfile.js FILE.cpuprofile [--top N]');
  process.exit(2);
}
const top = args[1] === '--top' ? Number(args[2]) : 15;
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const times = selfTimes(profile);
const total = [...times.values()].reduce((a, b) => a + b, 0);
const pct = (us: number) => `${((100 * us) / total).toFixed(1)}%`;
const sum = (re: RegExp) => [...times].filter(([n]) => re.test(n)).reduce((a, [, t]) => a + t, 0);
console.log(`${path.basename(file)}: ${(total / 1e6).toFixed(1)} s sampled`);
console.log(`idle ${pct(sum(/^\(idle\)/))}, GC ${pct(sum(/^\(garbage collector\)/))}, busy ${pct(total - sum(/^\(idle\)/))}`);
for (const [name, us] of [...times].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(us).padStart(6)}  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${name}`);
