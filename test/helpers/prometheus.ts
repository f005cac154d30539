/**
 * A strict reader of the Prometheus text exposition format (0.0.4): every
 * line is a HELP, a TYPE, a sample or empty, every sample belongs to a family whose
 * TYPE came first, and nothing else passes. Samples are keyed by name and
 * sorted labels: `sockftp_logins_total{result="ok"}`.
 */
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
/** Prometheus reads values with Go's ParseFloat, which takes NaN and Inf in any case (prom-client writes "Nan"). */
const VALUE = '[-+]?(?:[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?|[Ii][Nn][Ff]|[Nn][Aa][Nn])';
const HELP_LINE = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE_LINE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?,?\\})? (${VALUE})(?: -?[0-9]+)?$`);
const SUFFIXES: Record<string, readonly string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'] };

export type Samples = ReadonlyMap<string, number>;

export function parsePrometheusText(text: string): Samples {
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a line feed');
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const [i, line] of text.slice(0, -1).split('\n').entries()) {
    const where = `line ${i + 1}: ${line}`;
    // The format ignores empty lines (prom-client puts one between families).
    if (line === '' || HELP_LINE.test(line)) continue;
    const type = TYPE_LINE.exec(line);
    if (type) {
      if (types.has(type[1])) throw new Error(`${where}: a second TYPE for this family`);
      types.set(type[1], type[2]);
      continue;
    }
    const sample = SAMPLE_LINE.exec(line);
    if (!sample) throw new Error(`${where}: not HELP, TYPE or a sample`);
    const name = sample[1];
    if (!familyOf(name, types)) throw new Error(`${where}: no TYPE before this sample`);
    const labels = sample[2] ? [...sample[2].matchAll(new RegExp(LABEL, 'g'))].map((m) => m[0]).sort() : [];
    const key = labels.length > 0 ? `${name}{${labels.join(',')}}` : name;
    if (samples.has(key)) throw new Error(`${where}: a second sample with these labels`);
    samples.set(key, Number(sample[3].replace(/inf$/i, 'Infinity').replace(/^([-+]?)nan$/i, 'NaN')));
  }
  return samples;
}

function familyOf(name: string, types: ReadonlyMap<string, string>): boolean {
  if (types.has(name) && !SUFFIXES[types.get(name)!]) return true;
  for (const [family, type] of types) {
    for (const suffix of SUFFIXES[type] ?? []) if (name === family + suffix) return true;
  }
  return false;
}

/** GET `adminUrl`/metrics: 200, the text format's content type, and its samples read strictly. */
export async function scrapeMetrics(adminUrl: string): Promise<Samples> {
  const res = await fetch(`${adminUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${body}`);
  const type = res.headers.get('content-type') ?? '';
  if (!/^text\/plain; version=0\.0\.4/.test(type)) throw new Error(`/metrics has content type "${type}"`);
  return parsePrometheusText(body);
}
