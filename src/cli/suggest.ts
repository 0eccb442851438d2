// Commands the program tells the user to run are written `gphotos-keep <command> [args]` by
// whichever layer found the problem (src/errors.ts, suggest()). Only the CLI knows how this run
// was invoked, so it completes each one with the flags that pick the same profile, backup
// folder, site and config file, and the command printed is the one to paste: `sync --profile
// work` signed out says `gphotos-keep login --profile work`, not a login of the default profile.
import path from 'node:path';
import { isBareName } from '../browser/profile.js';
import { CONFIG_ENV, type ResolvedOptions } from './config.js';
import { type CommandName, type OptionDef, longName, optionByKey, optionTable } from './options.js';

/** The settings that decide which backup, account and site a command works on. */
const MATTERING_KEYS = ['out', 'profile', 'baseUrl', 'accountIndex'] as const;

export interface Invocation {
  /** `--flag value` pairs to carry into suggested commands, in MATTERING_KEYS order. */
  flags: { def: OptionDef; value: string }[];
  /** The config file named by --config or $GPHOTOS_KEEP_CONFIG (the default one applies anyway). */
  config: string | null;
}

export const NO_INVOCATION: Invocation = { flags: [], config: null };

/**
 * What this run was given that a command suggested to the user must repeat: values from the
 * command line or the environment (a cron job's or unit's environment is not the user's shell),
 * never defaults, and the config file when it was named. A config file found in its default
 * place applies to the suggested command anyway.
 */
export function invocationOf(options: ResolvedOptions, fromCommandLine: (key: string) => boolean, configGiven: string | undefined, env: NodeJS.ProcessEnv): Invocation {
  const flags: Invocation['flags'] = [];
  for (const key of MATTERING_KEYS) {
    const def = optionByKey(key);
    const value = options[key];
    if (!def || value === undefined || value === '') continue;
    const fromEnv = def.env !== undefined && !def.cliOnly && env[def.env] !== undefined && env[def.env] !== '';
    if (!fromCommandLine(key) && !fromEnv) continue;
    flags.push({ def, value: absolute(key, String(value)) });
  }
  const named = configGiven ?? (env[CONFIG_ENV] ? env[CONFIG_ENV] : undefined);
  return { flags, config: named ? path.resolve(named) : null };
}

/** A relative folder means nothing to a shell started elsewhere: paths are made absolute. */
function absolute(key: string, value: string): string {
  if (key === 'out') return path.resolve(value);
  if (key === 'profile' && !isBareName(value)) return path.resolve(value);
  return value;
}

function accepts(command: string, def: OptionDef): boolean {
  return def.commands.includes(command as CommandName);
}

function isCommand(name: string): boolean {
  return optionTable.some((d) => accepts(name, d));
}

export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `gphotos-keep <command> <args>` with the invocation's flags that command takes and the args do not already give. */
export function suggestedCommand(command: string, args: string, invocation: Invocation): string {
  const given = (flag: string) => new RegExp(`(^|\\s)--${flag}(\\s|=|$)`).test(args);
  const extra: string[] = [];
  for (const { def, value } of invocation.flags) {
    if (accepts(command, def) && !given(longName(def))) extra.push(`--${longName(def)} ${shellQuote(value)}`);
  }
  if (invocation.config && !given('config')) extra.push(`--config ${shellQuote(invocation.config)}`);
  return ['gphotos-keep', command, args.trim(), ...extra].filter((part) => part !== '').join(' ');
}

/** Completes every `gphotos-keep <command> …` written in backticks in the text. */
export function completeSuggestions(text: string, invocation: Invocation): string {
  if (invocation.flags.length === 0 && invocation.config === null) return text;
  return text.replace(/`gphotos-keep ([a-z]+)((?: [^`\n]*)?)`/g, (whole, command: string, args: string) => (isCommand(command) ? `\`${suggestedCommand(command, args, invocation)}\`` : whole));
}

/**
 * The stream with every write completed (see completeSuggestions); everything else (isTTY,
 * columns, events) is the stream's own, so a live progress display works through it.
 */
export function completingStream<T extends NodeJS.WritableStream>(stream: T, invocation: () => Invocation): T {
  return new Proxy(stream, {
    get(target, property) {
      if (property === 'write') {
        return (chunk: unknown, ...rest: unknown[]) => (target.write as (...a: unknown[]) => boolean)(typeof chunk === 'string' ? completeSuggestions(chunk, invocation()) : chunk, ...rest);
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
