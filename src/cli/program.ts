// Builds the commander program from the options table; each command's work lives in
// src/cli/commands/<name>.ts and returns an exit code.
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, KeepError, UsageError, describeError, exitCodeOf } from '../errors.js';
import { FILE_ONLY, type Logger, createLogger } from '../log.js';
import { outcomeOf } from '../run/report.js';
import { loadConfigFile, resolveOptions } from './config.js';
import type { CommandContext, CommandRunner } from './context.js';
import { type CommandName, longName, optionsFor } from './options.js';
import { type Invocation, NO_INVOCATION, completeSuggestions, completingStream, invocationOf } from './suggest.js';
import { isBareName, moveCheckoutProfiles } from '../browser/profile.js';

const commands: { name: CommandName; summary: string; load: () => Promise<CommandRunner> }[] = [
  { name: 'sync', summary: 'back up the library into --out: list, download originals, verify, record', load: async () => (await import('./commands/sync.js')).runSync },
  { name: 'login', summary: 'sign the browser profile in (by hand, from cookies, or check the session)', load: async () => (await import('./commands/login.js')).runLogin },
  { name: 'status', summary: 'what the backup holds: counts by state, size, last runs, failing items', load: async () => (await import('./commands/status.js')).runStatus },
  { name: 'verify', summary: 'check every recorded file: present, same size and sha256, still parses', load: async () => (await import('./commands/verify.js')).runVerify },
  { name: 'doctor', summary: 'check Chromium, exiftool, SQLite, the output folder and the profile', load: async () => (await import('./commands/doctor.js')).runDoctor },
  { name: 'adopt', summary: 'count an existing backup (gphotos-sync, Takeout, a folder) without downloading it again', load: async () => (await import('./commands/adopt.js')).runAdopt },
  { name: 'repair', summary: 'repair --index: rebuild a damaged index from its saved copy and the files on disk (moves and deletes nothing)', load: async () => (await import('./commands/repair.js')).runRepair },
  { name: 'report', summary: 'write report.html into the backup: items per month, failing items, runs, space, thumbnails', load: async () => (await import('./commands/report.js')).runReport },
];

export interface RunIo {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signal: AbortSignal;
}

export async function runCli(io: RunIo): Promise<number> {
  let exitCode: number = ExitCode.Complete;
  // Suggested commands in what is printed carry this run's flags (src/cli/suggest.ts).
  let invocation: Invocation = NO_INVOCATION;
  const stderr = completingStream(io.stderr, () => invocation);
  const tryHelp = (name?: string) => `Try '${['gphotos-keep', name, '--help'].filter(Boolean).join(' ')}' for more information.`;
  const usage = (name: string, message: string) => stderr.write(`gphotos-keep ${name}: ${message}\n${tryHelp(name)}\n`);

  if (io.argv.length === 0) {
    io.stderr.write(`gphotos-keep: no command given (${commands.map((c) => c.name).join(', ')}).\n${tryHelp()}\n`);
    return ExitCode.Usage;
  }

  const program = new Command('gphotos-keep')
    .description('Keep a complete, verified local copy of your Google Photos library: originals with full EXIF and GPS.')
    .version(await packageVersion(), '-V, --version')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    // A usage error is the line saying what was wrong and where to read more, not 40 lines of help.
    .showHelpAfterError(tryHelp())
    .exitOverride();

  for (const spec of commands) {
    const command = program.command(spec.name).description(spec.summary).showHelpAfterError(tryHelp(spec.name)).exitOverride();
    command.addOption(new Option('--config <file>', 'config file (default $GPHOTOS_KEEP_CONFIG, else $XDG_CONFIG_HOME/gphotos-keep/config.json)'));
    for (const def of optionsFor(spec.name)) {
      const option = new Option(def.flags, def.description);
      if (def.env && !def.cliOnly) option.env(def.env);
      if (def.default !== undefined && def.type !== 'bool') option.default(def.default);
      command.addOption(option);
      // --no-<flag> overrides a config file's or the environment's true for this run.
      if (def.type === 'bool') command.addOption(new Option(`--no-${longName(def)}`, `turn --${longName(def)} off`).hideHelp());
    }
    command.allowExcessArguments(false).action(async () => {
      const given: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(command.opts())) {
        if (command.getOptionValueSource(key) === 'cli') given[key] = value;
      }
      let options;
      try {
        const fileConfig = loadConfigFile(command.opts().config as string | undefined, io.env);
        options = resolveOptions(spec.name, given, io.env, fileConfig);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        usage(spec.name, error.message);
        exitCode = ExitCode.Usage;
        return;
      }
      invocation = invocationOf(options, (key) => key in given, command.opts().config as string | undefined, io.env);
      // Human text on stdout gets its commands completed too; JSON is left as the program wrote it.
      const stdout = options.json === true ? io.stdout : completingStream(io.stdout, () => invocation);
      const logger = createLogger({ quiet: options.quiet === true, verbose: options.verbose === true, logFile: options.logFile as string | undefined });
      if (typeof options.profile === 'string' && isBareName(options.profile)) {
        for (const line of moveCheckoutProfiles(io.env)) stderr.write(`gphotos-keep: ${line}\n`);
      }
      const ctx: CommandContext = { options, logger, stdout, stderr, env: io.env, signal: io.signal, completeCommands: (text) => completeSuggestions(text, invocation) };
      const run = await spec.load();
      const started = Date.now();
      try {
        exitCode = await run(ctx);
      } catch (error) {
        if (!(error instanceof UsageError)) {
          exitCode = exitCodeOf(error);
          endLog(logger, ctx, spec.name, exitCode, started);
          throw error;
        }
        usage(spec.name, error.message);
        exitCode = ExitCode.Usage;
      }
      endLog(logger, ctx, spec.name, exitCode, started);
    });
  }

  try {
    await program.parseAsync(io.argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return ExitCode.Complete;
      if (error.code === 'commander.executeSubCommandAsync') return ExitCode.Unexpected;
      // Unknown command or option, missing or bad argument: commander already printed the line and where to get help.
      return ExitCode.Usage;
    }
    if (error instanceof UsageError) {
      stderr.write(`gphotos-keep: ${error.message}\n${tryHelp()}\n`);
      return ExitCode.Usage;
    }
    if (error instanceof KeepError) {
      stderr.write(`gphotos-keep: ${error.message}\n`);
      return exitCodeOf(error);
    }
    stderr.write(`gphotos-keep: unexpected error: ${describeError(error)}\n${(error as Error)?.stack ?? ''}\n`);
    return ExitCode.Unexpected;
  }
}

/** The log file's last record: how the command ended (the console already said it in words). */
function endLog(logger: Logger, ctx: CommandContext, command: string, exitCode: number, startedMs: number): void {
  const end = ctx.ending;
  logger.info(
    { ...FILE_ONLY, command: end?.command ?? command, outcome: end?.outcome ?? outcomeOf(exitCode), exitCode, counts: end?.counts ?? null, seconds: end?.seconds ?? (Date.now() - startedMs) / 1000, error: end?.error ?? null },
    `${end?.command ?? command} ended: ${end?.outcome ?? outcomeOf(exitCode)} (exit ${exitCode})`,
  );
  logger.flush?.();
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const { installRoot } = await import('../browser/profile.js');
  try {
    return (JSON.parse(await readFile(`${installRoot()}/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
