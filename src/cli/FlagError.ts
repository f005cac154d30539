/**
 * A bad value of one flag, with the flag and the reason apart: the same check
 * then serves a value from the --config file, which is named by its key instead.
 */
import { CliError } from './CliError.js';

export class FlagError extends CliError {
  constructor(
    readonly flag: string,
    readonly reason: string,
  ) {
    super(`${flag} ${reason}`);
    this.name = 'FlagError';
  }
}
