// `status`: being built (see the issue tracker); placeholder so the CLI lists it.
import { KeepError } from '../../errors.js';
import type { CommandContext } from '../context.js';

export async function runStatus(_ctx: CommandContext): Promise<number> {
  throw new KeepError('`status` is not available in this build yet.');
}
