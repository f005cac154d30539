/**
 * Splits a shell line into words: spaces separate, single or double quotes
 * keep spaces inside a word ("my file.txt"), and a backslash outside single
 * quotes escapes the next character (my\ file.txt, as Tab completion writes
 * it). Pure; returns null for an unclosed quote.
 */
export function splitWords(line: string): string[] | null {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += ch;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) return null;
  if (inWord) words.push(word);
  return words;
}

/** Separates leading flags ("-f", "-fc", "--verify") from the other words; "--" ends the flags. */
export function splitFlags(words: readonly string[]): { flags: Set<string>; args: string[] } {
  const flags = new Set<string>();
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i];
    if (w === '--') {
      i++;
      break;
    }
    if (/^--[a-z][a-z-]*$/.test(w)) flags.add(w.slice(2));
    else if (/^-[a-zA-Z]+$/.test(w)) for (const ch of w.slice(1)) flags.add(ch);
    else break;
  }
  return { flags, args: words.slice(i) };
}
