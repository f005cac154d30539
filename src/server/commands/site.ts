/** SITE and its subcommands, one row each like the main table: HELP and CHMOD. */
import { badArgument, notSupported } from '../../errors.js';
import { Reply } from '../../protocol/replies.js';
import type { Session } from '../Session.js';

interface SiteCommand {
  readonly help: string;
  run(s: Session, arg: string): Promise<void> | void;
}

const SITE_COMMANDS: Readonly<Record<string, SiteCommand>> = {
  HELP: {
    help: 'SITE HELP: this list',
    run: (s) => s.reply(Reply.Help, ['SITE commands:', ...Object.values(SITE_COMMANDS).map((c) => c.help), 'End']),
  },
  CHMOD: {
    help: 'SITE CHMOD <mode> <path>: set Unix permission bits (octal)',
    run: async (s, arg) => {
      const m = /^([0-7]{3,4}) (.+)$/.exec(arg);
      if (!m) throw badArgument('SITE CHMOD needs an octal mode and a path');
      const path = s.resolvePath(m[2]!);
      s.requirePermission('write', path);
      const storage = s.storage;
      if (!storage.chmod) throw notSupported('This storage has no permission bits');
      await storage.chmod(path, parseInt(m[1]!, 8));
      s.reply(Reply.Ok, `SITE CHMOD ${m[1]} ${path} done`);
    },
  },
};

export async function SITE(s: Session, arg: string): Promise<void> {
  const [name = '', ...rest] = arg.trim().split(' ');
  const command = SITE_COMMANDS[name.toUpperCase()];
  if (!command) {
    s.reply(Reply.SyntaxError, `Unknown SITE command ${name}; SITE HELP lists them`);
    return;
  }
  await command.run(s, rest.join(' '));
}
