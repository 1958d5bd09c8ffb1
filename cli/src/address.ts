/**
 * Which scheduler the CLI talks to: --scheduler, else MUSTER_SCHEDULER, else
 * the address a `muster local up` in this directory wrote, else 127.0.0.1:7070.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hostPort } from '../../shared/src/config/values.js';
import { UsageError } from './errors.js';

/** DEFAULT_SCHEDULER_ADDRESS is used when nothing else names a scheduler. */
export const DEFAULT_SCHEDULER_ADDRESS = '127.0.0.1:7070';

/** SCHEDULER_ENV is the environment variable naming the scheduler. */
export const SCHEDULER_ENV = 'MUSTER_SCHEDULER';

/** DEFAULT_LOCAL_DIR is where `muster local up` keeps its cluster, relative to the working directory. */
export const DEFAULT_LOCAL_DIR = path.join('.muster', 'local');

/** ADDRESS_FILE_NAME is the file in a local cluster's directory holding the scheduler's host:port. */
export const ADDRESS_FILE_NAME = 'scheduler.addr';

/** AddressSource says where the address came from. */
export type AddressSource = 'flag' | 'env' | 'file' | 'default';

/** ResolvedAddress is the scheduler address and its origin. */
export interface ResolvedAddress {
  address: string;
  source: AddressSource;
}

/** AddressInputs are the places an address may come from. */
export interface AddressInputs {
  /** The --scheduler flag value. */
  flag?: string | undefined;
  /** The environment (MUSTER_SCHEDULER). */
  env: Record<string, string | undefined>;
  /** The working directory, where ./.muster/local/scheduler.addr is looked for. */
  cwd: string;
}

/** isHostPort says whether a value looks like host:port. */
export function isHostPort(v: string): boolean {
  return hostPort.safeParse(v).success;
}

function readAddressFile(file: string): string | undefined {
  try {
    const v = readFileSync(file, 'utf8').trim();
    return v === '' ? undefined : v;
  } catch {
    return undefined;
  }
}

/** resolveSchedulerAddress applies the order flag > env > local address file > default; throws UsageError on a malformed flag or env value. */
export function resolveSchedulerAddress(inputs: AddressInputs): ResolvedAddress {
  const flag = inputs.flag?.trim();
  if (flag) {
    if (!isHostPort(flag)) throw new UsageError(`--scheduler must be host:port, got "${flag}"`);
    return { address: flag, source: 'flag' };
  }
  const env = inputs.env[SCHEDULER_ENV]?.trim();
  if (env) {
    if (!isHostPort(env)) throw new UsageError(`${SCHEDULER_ENV} must be host:port, got "${env}"`);
    return { address: env, source: 'env' };
  }
  const file = readAddressFile(path.resolve(inputs.cwd, DEFAULT_LOCAL_DIR, ADDRESS_FILE_NAME));
  if (file && isHostPort(file)) return { address: file, source: 'file' };
  return { address: DEFAULT_SCHEDULER_ADDRESS, source: 'default' };
}
