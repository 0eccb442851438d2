// Builds the commander program from the options table; each command's work lives in
// src/cli/commands/<name>.ts and returns an exit code.
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, KeepError, UsageError, describeError, exitCodeOf } from '../errors.js';
import { createLogger } from '../log.js';
import { loadConfigFile, resolveOptions } from './config.js';
import type { CommandContext, CommandRunner } from './context.js';
import { type CommandName, longName, optionsFor } from './options.js';

const commands: { name: CommandName; summary: string; load: () => Promise<CommandRunner> }[] = [
  { name: 'sync', summary: 'back up the library into --out: list, download originals, verify, record', load: async () => (await import('./commands/sync.js')).runSync },
  { name: 'login', summary: 'sign the browser profile in (by hand, from cookies, or check the session)', load: async () => (await import('./commands/login.js')).runLogin },
  { name: 'status', summary: 'what the backup holds: counts by state, size, last runs, failing items', load: async () => (await import('./commands/status.js')).runStatus },
  { name: 'verify', summary: 'check every recorded file: present, same size and sha256, still parses', load: async () => (await import('./commands/verify.js')).runVerify },
  { name: 'doctor', summary: 'check Chromium, exiftool, SQLite, the output folder and the profile', load: async () => (await import('./commands/doctor.js')).runDoctor },
  { name: 'adopt', summary: 'count an existing backup (gphotos-sync, Takeout, a folder) without downloading it again', load: async () => (await import('./commands/adopt.js')).runAdopt },
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
  const program = new Command('gphotos-keep')
    .description('Keep a complete, verified local copy of your Google Photos library: originals with full EXIF and GPS.')
    .version(await packageVersion(), '-V, --version')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError()
    .exitOverride();

  for (const spec of commands) {
    const command = program.command(spec.name).description(spec.summary).showHelpAfterError().exitOverride();
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
        // One line saying what was wrong, then the command's help, as commander does for unknown flags.
        io.stderr.write(`gphotos-keep ${spec.name}: ${error.message}\n\n${command.helpInformation()}`);
        exitCode = ExitCode.Usage;
        return;
      }
      const logger = createLogger({ quiet: options.quiet === true, verbose: options.verbose === true, logFile: options.logFile as string | undefined });
      const ctx: CommandContext = { options, logger, stdout: io.stdout, stderr: io.stderr, env: io.env, signal: io.signal };
      const run = await spec.load();
      exitCode = await run(ctx);
      logger.flush?.();
    });
  }

  try {
    await program.parseAsync(io.argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return ExitCode.Complete;
      if (error.code === 'commander.executeSubCommandAsync') return ExitCode.Unexpected;
      // Unknown command or option, missing or bad argument: commander already printed the line and the help.
      return ExitCode.Usage;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`gphotos-keep: ${error.message}\n`);
      return ExitCode.Usage;
    }
    if (error instanceof KeepError) {
      io.stderr.write(`gphotos-keep: ${error.message}\n`);
      return exitCodeOf(error);
    }
    io.stderr.write(`gphotos-keep: unexpected error: ${describeError(error)}\n${(error as Error)?.stack ?? ''}\n`);
    return ExitCode.Unexpected;
  }
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
