// Resolves each option: command line > environment > config file > default.
// The config file's schema is derived from the options table: every flag is also a config key
// (its camelCase key), so an unknown key or a bad value is a usage error naming the key.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { type CommandName, type OptionDef, longName, optionTable, optionsFor } from './options.js';

export type ResolvedOptions = Record<string, string | number | boolean | undefined>;

/** Environment variable naming a config file, for units that cannot pass --config. */
export const CONFIG_ENV = 'GPHOTOS_KEEP_CONFIG';

function valueSchema(def: OptionDef): z.ZodType {
  switch (def.type) {
    case 'int': {
      let schema = z.number().int();
      if (def.min !== undefined) schema = schema.min(def.min);
      if (def.max !== undefined) schema = schema.max(def.max);
      return schema;
    }
    case 'bool':
      return z.boolean();
    case 'url':
      return z.string().refine(isHttpUrl, { message: 'must be an http(s) URL' });
    case 'path':
    case 'string':
      return z.string().min(1);
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export function configKeys(): string[] {
  return optionTable.map((d) => d.key);
}

function configSchema(): z.ZodType {
  // Built on use: the table may gain options after this module loads (tests, plugins).
  return z.object(Object.fromEntries(optionTable.map((d) => [d.key, valueSchema(d).optional()]))).strict();
}

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec says to ignore a relative XDG_CONFIG_HOME.
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME && path.isAbsolute(env.HOME) ? env.HOME : os.homedir(), '.config');
  return path.join(base, 'gphotos-keep', 'config.json');
}

/** The key a misspelt config key most likely meant: kebab-case, flag form, or letter case. */
export function suggestKey(unknown: string): string | null {
  const squash = (s: string) => s.replace(/^-+/, '').replace(/[-_]/g, '').toLowerCase();
  const wanted = squash(unknown);
  return optionTable.find((d) => squash(d.key) === wanted || squash(longName(d)) === wanted)?.key ?? null;
}

/** `~/x` → the home folder; a relative path from a config file is relative to that file's folder. */
export function expandPath(value: string, relativeTo: string | null, env: NodeJS.ProcessEnv = process.env): string {
  const home = env.HOME && path.isAbsolute(env.HOME) ? env.HOME : os.homedir();
  if (value === '~') return home;
  if (value.startsWith('~/')) return path.join(home, value.slice(2));
  if (relativeTo && !path.isAbsolute(value)) return path.resolve(relativeTo, value);
  return value;
}

/**
 * Reads and validates the config file: `file` (from --config), else $GPHOTOS_KEEP_CONFIG, else
 * $XDG_CONFIG_HOME/gphotos-keep/config.json. Only the default file may be missing.
 */
export function loadConfigFile(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const named = file ?? (env[CONFIG_ENV] ? env[CONFIG_ENV] : undefined);
  const target = path.resolve(named ?? defaultConfigPath(env));
  const source = file !== undefined ? '--config' : named !== undefined ? CONFIG_ENV : 'the default config file';
  if (!existsSync(target)) {
    if (named !== undefined) throw new UsageError(`Config file ${target} (from ${source}) does not exist.`);
    return {};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(target, 'utf8'));
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ? `cannot be read (${(cause as NodeJS.ErrnoException).code})` : `is not valid JSON: ${(cause as Error).message}`;
    throw new UsageError(`Config file ${target} ${reason}.`);
  }
  const parsed = configSchema().safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0];
      const hint = suggestKey(key);
      throw new UsageError(`Config file ${target}: unknown key "${key}".${hint ? ` Did you mean "${hint}"?` : ''} Known keys: ${configKeys().join(', ')}.`);
    }
    const key = issue.path.join('.');
    if (key === '') throw new UsageError(`Config file ${target} must hold one JSON object of settings, like {"out": "/srv/photos"}.`);
    const def = optionTable.find((d) => d.key === key);
    const expected = def ? describeType(def) : issue.message;
    throw new UsageError(`Config file ${target}: bad value for "${key}": ${expected}.`);
  }
  const data = parsed.data as Record<string, unknown>;
  const dir = path.dirname(target);
  for (const def of optionTable) {
    if (def.type === 'path' && typeof data[def.key] === 'string') data[def.key] = expandPath(data[def.key] as string, dir, env);
  }
  return data;
}

function describeType(def: OptionDef): string {
  switch (def.type) {
    case 'int': {
      const range = def.min !== undefined && def.max !== undefined ? ` from ${def.min} to ${def.max}` : def.min !== undefined ? ` of at least ${def.min}` : def.max !== undefined ? ` of at most ${def.max}` : '';
      return `expected a whole number${range} (a JSON number, not a string)`;
    }
    case 'bool':
      return 'expected true or false';
    case 'url':
      return 'expected an http(s) URL';
    case 'path':
      return 'expected a non-empty path';
    case 'string':
      return 'expected a non-empty string';
  }
}

/** Parses one textual value (from the command line or the environment) by the option's type. */
export function parseValue(def: OptionDef, text: string, source: string): string | number | boolean {
  // A secret (the healthcheck URL) is never echoed back, not even when it is malformed.
  const shown = def.secret ? 'the value' : `"${text}"`;
  switch (def.type) {
    case 'int': {
      const n = Number(text);
      if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`${source}: ${shown} is not a whole number.`);
      if (def.min !== undefined && n < def.min) throw new UsageError(`${source}: ${n} is below the minimum ${def.min}.`);
      if (def.max !== undefined && n > def.max) throw new UsageError(`${source}: ${n} is above the maximum ${def.max}.`);
      return n;
    }
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off)$/i.test(text)) return false;
      throw new UsageError(`${source}: ${shown} is not a yes/no value (use true or false).`);
    case 'url':
      if (!isHttpUrl(text)) throw new UsageError(`${source}: ${shown} is not an http(s) URL.`);
      return text.replace(/\/+$/, '');
    case 'path':
    case 'string':
      if (text === '') throw new UsageError(`${source}: the value is empty.`);
      return text;
  }
}

/**
 * `cliGiven` holds only the values the user typed (commander's source 'cli'); everything
 * else falls through to env, file and default, in that order.
 */
export function resolveOptions(command: CommandName, cliGiven: Record<string, unknown>, env: NodeJS.ProcessEnv, fileConfig: Record<string, unknown>): ResolvedOptions {
  const resolved: ResolvedOptions = {};
  for (const def of optionsFor(command)) {
    const given = cliGiven[def.key];
    if (given !== undefined) {
      resolved[def.key] = typeof given === 'string' && def.type !== 'bool' ? parseValue(def, given, `--${longName(def)}`) : (given as boolean);
    } else if (def.env && env[def.env] !== undefined && env[def.env] !== '') {
      const value = parseValue(def, env[def.env]!, `environment variable ${def.env}`);
      resolved[def.key] = def.type === 'path' && typeof value === 'string' ? expandPath(value, null, env) : value;
    } else if (fileConfig[def.key] !== undefined) {
      resolved[def.key] = fileConfig[def.key] as string | number | boolean;
      if (def.type === 'url') resolved[def.key] = String(resolved[def.key]).replace(/\/+$/, '');
    } else {
      resolved[def.key] = def.default;
    }
  }
  return resolved;
}

/** The resolved options as they may be shown in a report: secrets replaced, unset ones left out. */
export function publicOptions(options: ResolvedOptions): Record<string, string | number | boolean> {
  const shown: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    shown[key] = optionTable.find((d) => d.key === key)?.secret ? '[set]' : value;
  }
  return shown;
}
