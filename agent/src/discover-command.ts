/**
 * `muster-agent discover` (alias `inventory`) and the inventory the daemon
 * registers: a recorded `--hardware FILE`, else discoverHost over the real
 * nvidia-smi and sysfs (or the ones named by --nvidia-smi / --sysfs-root).
 * Kept out of main.ts so tests can call the handler directly.
 */
import path from 'node:path';
import { readRecordedFacts } from './discovery/recorded-facts.js';
import type { NodeInventory } from '../../shared/src/proto/types.js';
import { execFileRunner, type CommandRunner } from './discovery/command-runner.js';
import { discoverHost } from './discovery/discover.js';
import { probeGpuHealth, type GpuProbeResult } from './discovery/gpu-health.js';
import { hostSysfs } from './discovery/sysfs.js';
import { formatInventory } from './inventory-format.js';
import { loadHardwareFile, type SystemFacts } from './inventory.js';

/** Where the inventory comes from. */
export interface InventorySource {
  /** A recorded inventory file; discovery when empty. */
  hardwareFile: string;
  /** The nvidia-smi binary. */
  nvidiaSmi: string;
  /** The directory holding sys/ ("/" on a live host). */
  sysfsRoot: string;
}

/** Injected for tests: the command runner and the systeminformation facts. */
export interface InventoryDeps {
  runner?: CommandRunner;
  facts?: SystemFacts;
  timeoutMs?: number;
}

/** loadNodeInventory is the recorded inventory when hardwareFile is set, else discoverHost (never throws for discovery). */
export async function loadNodeInventory(src: InventorySource, deps: InventoryDeps = {}): Promise<NodeInventory> {
  if (src.hardwareFile) return loadHardwareFile(src.hardwareFile);
  const sysfs = hostSysfs(src.sysfsRoot);
  // A recorded machine (any root but "/") is described by its own /proc and /sys, not by this host's.
  const facts = deps.facts ?? (isLiveRoot(src.sysfsRoot) ? undefined : readRecordedFacts(sysfs));
  return discoverHost({ runner: deps.runner ?? execFileRunner, nvidiaSmi: src.nvidiaSmi, sysfs, facts, timeoutMs: deps.timeoutMs });
}

/** isLiveRoot: the sysfs root is this host's own "/". */
function isLiveRoot(root: string): boolean {
  return path.resolve(root) === '/';
}

/**
 * rediscoverFunction is what the agent runs again every rediscoverIntervalMs:
 * the discovery it ran at start; undefined when re-discovery is off (interval
 * 0) or the inventory is a recorded --hardware file.
 */
export function rediscoverFunction(
  cfg: InventorySource & { rediscoverIntervalMs: number },
  deps: InventoryDeps = {},
): (() => Promise<NodeInventory>) | undefined {
  if (cfg.hardwareFile || cfg.rediscoverIntervalMs <= 0) return undefined;
  const src: InventorySource = { hardwareFile: '', nvidiaSmi: cfg.nvidiaSmi, sysfsRoot: cfg.sysfsRoot };
  return () => loadNodeInventory(src, deps);
}

/**
 * gpuHealthProbeFunction is the agent's GPU health probe: one `nvidia-smi -q -x`
 * every gpuHealthIntervalMs; undefined when probing is off (interval 0) or the
 * inventory is a recorded --hardware file.
 */
export function gpuHealthProbeFunction(
  cfg: InventorySource & { gpuHealthIntervalMs: number },
  deps: InventoryDeps = {},
): (() => Promise<GpuProbeResult>) | undefined {
  if (cfg.hardwareFile || cfg.gpuHealthIntervalMs <= 0) return undefined;
  return () => probeGpuHealth({ runner: deps.runner ?? execFileRunner, nvidiaSmi: cfg.nvidiaSmi, timeoutMs: deps.timeoutMs });
}

/** discoverCommandOutput is what `muster-agent discover [--json]` prints. */
export async function discoverCommandOutput(src: InventorySource & { json?: boolean }, deps: InventoryDeps = {}): Promise<string> {
  const inventory = await loadNodeInventory(src, deps);
  return src.json ? JSON.stringify(inventory, null, 2) + '\n' : formatInventory(inventory);
}
