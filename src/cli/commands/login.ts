// `login`: sign the browser profile in. By hand in a window (the default), from a cookie
// export (--cookies FILE), through remote debugging over ssh (--remote-debugging-port N),
// or only check the session (--check). Exit 0 signed in, 2 bad input or no display,
// 4 not signed in.
import { resolveProfileDir } from '../../browser/profile.js';
import { KeepError, UsageError, describeError, exitCodeFor, exitCodeOf } from '../../errors.js';
import { type LoginParams, type LoginResult, checkLogin, importCookies, interactiveLogin } from '../../run/login.js';
import type { CommandContext } from '../context.js';

export async function runLogin(ctx: CommandContext): Promise<number> {
  const { options } = ctx;
  const json = options.json === true;
  try {
    const cookies = options.cookies as string | undefined;
    const port = options.remoteDebuggingPort as number | undefined;
    const given = [cookies !== undefined && '--cookies', port !== undefined && '--remote-debugging-port', options.check === true && '--check'].filter(Boolean);
    if (given.length > 1) throw new UsageError(`${given.join(' and ')} are different ways to sign in: give one of them.`);

    const params: LoginParams = {
      profileDir: resolveProfileDir(String(options.profile ?? 'default'), ctx.env),
      baseUrl: String(options.baseUrl),
      logger: ctx.logger,
      signal: ctx.signal,
      say: (line) => ctx.stderr.write(`${line}\n`),
    };
    let result: LoginResult;
    if (options.check === true) result = await checkLogin(params);
    else if (cookies !== undefined) result = await importCookies({ ...params, file: cookies });
    else result = await interactiveLogin({ ...params, env: ctx.env, remoteDebuggingPort: port });
    report(ctx, result, json);
    return exitCodeFor('Complete');
  } catch (error) {
    if (!(error instanceof KeepError)) throw error;
    const code = exitCodeOf(error);
    ctx.logger.debug({ error: error.name, exitCode: code }, 'login did not sign in');
    ctx.stderr.write(`gphotos-keep login: ${describeError(error)}\n`);
    // A usage error says where the help is, as every command's does (src/cli/program.ts).
    if (error instanceof UsageError) ctx.stderr.write(`Try 'gphotos-keep login --help' for more information.\n`);
    if (json) ctx.stdout.write(`${JSON.stringify({ ok: false, exitCode: code, error: ctx.completeCommands(describeError(error)) })}\n`);
    return code;
  }
}

function report(ctx: CommandContext, result: LoginResult, json: boolean): void {
  if (json) {
    ctx.stdout.write(`${JSON.stringify({ ok: true, ...result })}\n`);
    return;
  }
  const lines: string[] = [];
  if (result.cookies) {
    const c = result.cookies;
    const ignored = [c.otherSites > 0 ? `${c.otherSites} for other sites` : '', c.expired > 0 ? `${c.expired} expired` : ''].filter(Boolean).join(', ');
    lines.push(`Imported ${c.kept} of ${c.total} cookies${ignored ? ` (ignored: ${ignored})` : ''}.`);
  }
  lines.push(`Signed in as ${result.email ?? '(the page did not name the account)'}; profile ${result.profileDir}.`);
  for (const line of lines) ctx.stdout.write(`${line}\n`);
}
