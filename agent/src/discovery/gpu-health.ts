// GPU health between re-discoveries: one `nvidia-smi -q -x` call read only for
// each GPU's health, and the pure step that turns it into the heartbeat's
// GpuHealthReport list for the GPUs the node registered. A GPU the probe does
// not see any more (lost from the bus) and every GPU when nvidia-smi itself
// fails are reported unhealthy: health that cannot be confirmed is not offered
// to placement.
import type { GpuHealthReport, NodeInventory } from '../../../shared/src/proto/types.js';
import type { CommandRunner } from './command-runner.js';
import { DEFAULT_DISCOVERY_TIMEOUT_MS, readNvidiaSmiReport } from './discover.js';

/** What one probe found: health by GPU UUID, or why nvidia-smi could not say. */
export type GpuProbeResult = { ok: true; byUuid: Map<string, { healthy: boolean; reasons: string[] }> } | { ok: false; message: string };

/** Inputs of probeGpuHealth. */
export interface GpuProbeOptions {
  runner: CommandRunner;
  nvidiaSmi: string;
  timeoutMs?: number;
}

/** probeGpuHealth runs `nvidia-smi -q -x` once and reads each GPU's health. Never rejects. */
export async function probeGpuHealth(o: GpuProbeOptions): Promise<GpuProbeResult> {
  const report = await readNvidiaSmiReport(o.runner, o.nvidiaSmi, o.timeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS);
  if (!report.ok) return { ok: false, message: report.message };
  const byUuid = new Map<string, { healthy: boolean; reasons: string[] }>();
  for (const g of report.host.gpus) if (g.uuid) byUuid.set(g.uuid, { healthy: g.health.healthy, reasons: g.health.reasons });
  return { ok: true, byUuid };
}

/**
 * healthReports is the heartbeat's view of the registered GPUs after a probe:
 * the probe's health for each GPU it saw, unhealthy for one it did not see,
 * and unhealthy for all when the probe failed. GPUs without a UUID cannot be
 * matched and are left out. Pure.
 */
export function healthReports(gpus: NodeInventory['gpus'], probe: GpuProbeResult): GpuHealthReport[] {
  const out: GpuHealthReport[] = [];
  for (const g of gpus) {
    if (!g.uuid) continue;
    if (!probe.ok) {
      out.push({ uuid: g.uuid, healthy: false, reasons: [`health unknown: ${probe.message}`] });
      continue;
    }
    const seen = probe.byUuid.get(g.uuid);
    if (!seen) out.push({ uuid: g.uuid, healthy: false, reasons: ['not reported by nvidia-smi (lost from the bus?)'] });
    else out.push({ uuid: g.uuid, healthy: seen.healthy, reasons: [...seen.reasons] });
  }
  return out;
}

/** registeredHealth is the heartbeat's view before the first probe: the health the inventory was registered with. */
export function registeredHealth(gpus: NodeInventory['gpus']): GpuHealthReport[] {
  return gpus.filter((g) => g.uuid).map((g) => ({ uuid: g.uuid, healthy: g.healthy, reasons: [...g.healthReasons] }));
}
