/**
 * The no-clobber naming of the original program: when NAME is taken, the
 * next free name of the form base_1.ext, base_2.ext... ("report.pdf" ->
 * "report_1.pdf", "notes" -> "notes_1", ".bashrc" -> ".bashrc_1").
 */
export function candidateName(name: string, n: number): string {
  if (n === 0) return name;
  const dot = name.lastIndexOf('.');
  // A leading dot marks a hidden file, not an extension.
  if (dot <= 0) return `${name}_${n}`;
  return `${name.slice(0, dot)}_${n}${name.slice(dot)}`;
}

/** Bounded: after this many taken names something else is wrong. */
const MAX_CANDIDATES = 10_000;

export async function freeName(name: string, isTaken: (candidate: string) => boolean | Promise<boolean>): Promise<string> {
  for (let n = 0; n < MAX_CANDIDATES; n++) {
    const candidate = candidateName(name, n);
    if (!(await isTaken(candidate))) return candidate;
  }
  throw new Error(`no free name for ${name} after ${MAX_CANDIDATES} tries`);
}
