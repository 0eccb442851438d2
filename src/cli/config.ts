// Resolves each option: command line > environment > config file > default.
// The config file's schema is derived from the options table, so an unknown key or a bad
// value is a usage error naming the key.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { type CommandName, type OptionDef, optionTable, optionsFor } from './options.js';

export type ResolvedOptions = Record<string, string | number | boolean | undefined>;

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

const configSchema = z
  .object(Object.fromEntries(optionTable.filter((d) => !d.cliOnly).map((d) => [d.key, valueSchema(d).optional()])))
  .strict();

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(base, 'gphotos-keep', 'config.json');
}

/** Reads and validates the config file; a missing default file is an empty config. */
export function loadConfigFile(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const explicit = file !== undefined;
  const target = file ?? defaultConfigPath(env);
  if (!existsSync(target)) {
    if (explicit) throw new UsageError(`Config file ${target} does not exist.`);
    return {};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(target, 'utf8'));
  } catch (cause) {
    throw new UsageError(`Config file ${target} is not valid JSON: ${(cause as Error).message}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue.code === 'unrecognized_keys') {
      throw new UsageError(`Config file ${target}: unknown key "${issue.keys[0]}". Known keys: ${optionTable.filter((d) => !d.cliOnly).map((d) => d.key).join(', ')}.`);
    }
    const key = issue.path.join('.') || '(top level)';
    throw new UsageError(`Config file ${target}: bad value for "${key}": ${issue.message}.`);
  }
  return parsed.data as Record<string, unknown>;
}

/** Parses one textual value (from the command line or the environment) by the option's type. */
export function parseValue(def: OptionDef, text: string, source: string): string | number | boolean {
  switch (def.type) {
    case 'int': {
      const n = Number(text);
      if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`${source}: "${text}" is not a whole number.`);
      if (def.min !== undefined && n < def.min) throw new UsageError(`${source}: ${n} is below the minimum ${def.min}.`);
      if (def.max !== undefined && n > def.max) throw new UsageError(`${source}: ${n} is above the maximum ${def.max}.`);
      return n;
    }
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off)$/i.test(text)) return false;
      throw new UsageError(`${source}: "${text}" is not a yes/no value (use true or false).`);
    case 'url':
      if (!isHttpUrl(text)) throw new UsageError(`${source}: "${text}" is not an http(s) URL.`);
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
    if (cliGiven[def.key] !== undefined) {
      const value = cliGiven[def.key];
      resolved[def.key] = typeof value === 'string' && def.type !== 'bool' ? parseValue(def, value, `--${def.flags.replace(/^.*--([a-z-]+).*$/, '$1')}`) : (value as boolean);
    } else if (!def.cliOnly && def.env && env[def.env] !== undefined && env[def.env] !== '') {
      resolved[def.key] = parseValue(def, env[def.env]!, `environment variable ${def.env}`);
    } else if (!def.cliOnly && fileConfig[def.key] !== undefined) {
      resolved[def.key] = fileConfig[def.key] as string | number | boolean;
      if (def.type === 'url') resolved[def.key] = String(resolved[def.key]).replace(/\/+$/, '');
    } else {
      resolved[def.key] = def.default;
    }
  }
  return resolved;
}
