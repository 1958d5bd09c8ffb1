/**
 * Layered configuration: defaults → YAML file → MUSTER_* environment → flags,
 * merged, then validated once with every problem reported together. Nothing
 * here runs at import time; daemons call loadConfig from main.
 */
import { existsSync, readFileSync } from 'node:fs';
import YAML from 'yaml';
import type { z } from 'zod';
import type { FieldIssue } from '../errors.js';
import { ConfigError } from './issues.js';

/** ConfigSources are the layers, lowest priority first. */
export interface ConfigSources {
  /** File named by --config; must exist when given. */
  configFile?: string | undefined;
  /** File read when no --config is given and it exists (e.g. /etc/muster/agent.yaml). */
  defaultConfigFile?: string;
  /** The environment (process.env in main, a literal in tests). */
  env: Record<string, string | undefined>;
  /** Flag values; undefined entries are ignored. */
  flags: Record<string, unknown>;
}

/** envName is the environment variable of a config key: natsUrl → MUSTER_NATS_URL. */
export function envName(key: string): string {
  return 'MUSTER_' + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/**
 * CrossCheck validates settings against each other. It receives every setting
 * that is valid on its own (so it runs even when others are wrong, and all
 * problems are reported together) and returns the problems it finds.
 */
export type CrossCheck<T> = (valid: Partial<T>) => FieldIssue[];

/** loadConfig merges the layers over `defaults` and validates with `schema` (then `crossCheck`); throws ConfigError. */
export function loadConfig<S extends z.ZodObject>(schema: S, defaults: z.input<S>, sources: ConfigSources, crossCheck?: CrossCheck<z.output<S>>): z.output<S> {
  const issues: FieldIssue[] = [];
  const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  const keys = Object.keys(schema.shape);

  const file = sources.configFile ?? (sources.defaultConfigFile && existsSync(sources.defaultConfigFile) ? sources.defaultConfigFile : undefined);
  if (file) {
    try {
      const doc: unknown = YAML.parse(readFileSync(file, 'utf8'));
      if (doc !== null && doc !== undefined) {
        if (typeof doc !== 'object' || Array.isArray(doc)) issues.push({ path: file, message: 'must be a YAML mapping of settings' });
        else
          for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
            if (!keys.includes(k)) issues.push({ path: `${file}: ${k}`, message: `unknown setting (known: ${keys.join(', ')})` });
            else merged[k] = v;
          }
      }
    } catch (err) {
      issues.push({ path: file, message: `cannot read: ${(err as Error).message}` });
    }
  }
  for (const k of keys) {
    const v = sources.env[envName(k)];
    if (v !== undefined && v !== '') merged[k] = v;
  }
  for (const [k, v] of Object.entries(sources.flags)) if (v !== undefined && keys.includes(k)) merged[k] = v;

  const parsed = schema.safeParse(merged);
  if (!parsed.success)
    for (const i of parsed.error.issues) issues.push({ path: i.path.map(String).join('.'), message: i.message });
  if (crossCheck) {
    const valid: Record<string, unknown> = {};
    for (const k of keys) {
      const one = (schema.shape[k] as z.ZodType).safeParse(merged[k]);
      if (one.success) valid[k] = one.data;
    }
    issues.push(...crossCheck(valid as Partial<z.output<S>>));
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return (parsed as { data: z.output<S> }).data;
}
