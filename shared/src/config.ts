import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { InvalidConfigError } from './errors.ts';
import { issuePath } from './zod-issue-path.ts';

/**
 * Loads one app's config: a JSON file, then environment overrides, validated by the app's zod schema
 * (STYLE.md "Config"). Overrides use `<PREFIX>__<KEY>__<NESTED_KEY>=value` (JSON values are parsed,
 * anything else is kept as a string) so a service manager can set one key without editing the file.
 * Any problem throws InvalidConfigError naming the key and what was expected.
 */
export function loadConfig<T extends z.ZodType>(
  schema: T,
  options: { file?: string; envPrefix: string; env?: NodeJS.ProcessEnv },
): z.infer<T> {
  const fromFile = options.file === undefined ? {} : readConfigFile(options.file);
  const merged = applyEnvOverrides(fromFile, options.envPrefix, options.env ?? process.env);
  const parsed = schema.safeParse(merged);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = issue === undefined ? '(config)' : issuePath(issue, '(config)');
  const where = options.file === undefined ? 'config' : `config file ${options.file}`;
  throw new InvalidConfigError(key, `${where}: invalid value for "${key}": ${issue?.message ?? 'invalid'}`);
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidConfigError('(file)', `cannot read config file ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidConfigError('(file)', `config file ${file} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidConfigError('(file)', `config file ${file} must hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

function applyEnvOverrides(
  base: Record<string, unknown>,
  prefix: string,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const result: Record<string, unknown> = structuredClone(base);
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined || !name.startsWith(`${prefix}__`)) continue;
    // `<KEY>_FILE=/run/secrets/x` reads the value from a file: how compose and Kubernetes hand over
    // secrets, so a password never sits in the environment or in the config file.
    const fromFile = name.endsWith('_FILE');
    const path = name
      .slice(prefix.length + 2, fromFile ? -'_FILE'.length : undefined)
      .split('__')
      .map(envKeyToConfigKey);
    let node = result;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      node[part] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {};
      node = node[part] as Record<string, unknown>;
    }
    node[path.at(-1) ?? ''] = fromFile ? readSecretFile(name, raw) : parseEnvValue(raw);
  }
  return result;
}

function readSecretFile(variable: string, file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new InvalidConfigError(
      variable,
      `${variable} names ${file}, which cannot be read: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/** KAFKA_BROKERS -> kafkaBrokers: env names are upper snake case, config keys camelCase. */
const envKeyToConfigKey = (key: string): string =>
  key.toLowerCase().replace(/_([a-z0-9])/g, (_, char: string) => char.toUpperCase());

function parseEnvValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
