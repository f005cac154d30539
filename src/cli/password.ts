/** Passwords come from SOCKFTP_PASSWORD or a prompt that does not echo; never from a flag, which `ps` would show. */
import { CliError } from './CliError.js';

export async function passwordFromEnvOrPrompt(prompt: string): Promise<string> {
  const fromEnv = process.env.SOCKFTP_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  if (!process.stdin.isTTY) throw new CliError('no terminal to ask for the password: set SOCKFTP_PASSWORD');
  return promptHidden(prompt);
}

/** A hidden prompt for a user's password, worded by `question`, when there is a terminal to ask at; null otherwise. */
export function terminalPrompt(question: (user: string) => string): ((user: string) => Promise<string>) | null {
  return process.stdin.isTTY ? (user) => promptHidden(question(user)) : null;
}

function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (err: Error | null) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003') return finish(new CliError('cancelled', 130));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}
