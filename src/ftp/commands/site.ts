/** SITE and its subcommands, one row each like the main table: HELP and CHMOD. */
import type { Capabilities } from '../../core/capabilities.js';
import { badArgument } from '../../core/errors.js';
import { Reply } from '../protocol/replies.js';
import type { Session } from '../Session.js';

interface SiteCommand {
  readonly help: string;
  /** What the storage must be able to do; without it the subcommand answers 502 and SITE HELP leaves it out. */
  readonly needs?: keyof Capabilities;
  run(s: Session, arg: string): Promise<void> | void;
}

const SITE_COMMANDS: Readonly<Record<string, SiteCommand>> = {
  HELP: {
    help: "SITE HELP [command]: this list, or one command's help",
    run: (s, arg) => {
      const name = arg.trim().toUpperCase();
      if (name === '') {
        s.reply(Reply.Help, [
          'SITE commands:',
          ...Object.values(SITE_COMMANDS)
            .filter((c) => available(s, c))
            .map((c) => c.help),
          'End',
        ]);
        return;
      }
      const command = SITE_COMMANDS[name];
      if (!command || !available(s, command)) throw badArgument(`No SITE command ${name}; SITE HELP lists them`);
      s.reply(Reply.Help, command.help);
    },
  },
  CHMOD: {
    help: 'SITE CHMOD <mode> <path>: set Unix permission bits (octal)',
    needs: 'chmod',
    run: async (s, arg) => {
      const m = /^([0-7]{3,4}) (.+)$/.exec(arg);
      if (!m) throw badArgument('SITE CHMOD needs an octal mode and a path');
      const path = await s.files.chmod(m[2], parseInt(m[1], 8));
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
  if (!available(s, command)) {
    s.reply(Reply.NotImplemented, `SITE ${name.toUpperCase()} not supported by this storage`);
    return;
  }
  await command.run(s, rest.join(' '));
}

function available(s: Session, command: SiteCommand): boolean {
  return !command.needs || s.capabilities[command.needs];
}
