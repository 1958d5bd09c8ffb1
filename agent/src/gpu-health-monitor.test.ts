import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nullLogger } from '../../shared/src/logger.js';
import { withProtoDefaults } from '../../shared/src/proto/defaults.js';
import type { Gpu } from '../../shared/src/proto/types.js';
import type { CommandResult, CommandRunner } from './discovery/command-runner.js';
import { healthReports, probeGpuHealth, type GpuProbeResult } from './discovery/gpu-health.js';
import { GpuHealthMonitor } from './gpu-health-monitor.js';
import { ManualTimers } from '../../test/helpers/manual-timers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Two RTX A5000s, driver 590.44.01 (telegraf testdata; see testdata/nvidia-smi-xml/README.md). */
const DUAL_A5000 = readFileSync(path.join(here, 'discovery/testdata/nvidia-smi-xml/telegraf__dual_a5000-v13.xml'), 'utf8');
const A = 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab';
const B = 'GPU-12345678-aaaa-bbbb-cccc-0123456789cd';
/** The same capture with the second GPU's row remapping pending (the only edit). */
const B_PENDING = (() => {
  const at = DUAL_A5000.lastIndexOf('<remapped_row_pending>No</remapped_row_pending>');
  return DUAL_A5000.slice(0, at) + '<remapped_row_pending>Yes</remapped_row_pending>' + DUAL_A5000.slice(at + '<remapped_row_pending>No</remapped_row_pending>'.length);
})();

const ok = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: '', timedOut: false });
const runnerOf = (r: CommandResult): CommandRunner => async () => r;
const registered: Gpu[] = [A, B].map((uuid, index) => withProtoDefaults<Gpu>('muster.v1.Gpu', { index, uuid, healthy: true }));

describe('probeGpuHealth + healthReports (recorded nvidia-smi -q -x)', () => {
  it('reports both GPUs of the capture healthy', async () => {
    const probe = await probeGpuHealth({ runner: runnerOf(ok(DUAL_A5000)), nvidiaSmi: 'nvidia-smi' });
    expect(healthReports(registered, probe)).toEqual([
      { uuid: A, healthy: true, reasons: [] },
      { uuid: B, healthy: true, reasons: [] },
    ]);
  });

  it('marks the GPU with a pending row remap unhealthy, with the reason', async () => {
    const probe = await probeGpuHealth({ runner: runnerOf(ok(B_PENDING)), nvidiaSmi: 'nvidia-smi' });
    expect(healthReports(registered, probe)).toEqual([
      { uuid: A, healthy: true, reasons: [] },
      { uuid: B, healthy: false, reasons: ['row remapping pending (GPU reset required)'] },
    ]);
  });

  it('marks a registered GPU that nvidia-smi no longer lists unhealthy', async () => {
    const withStranger = [...registered, withProtoDefaults<Gpu>('muster.v1.Gpu', { index: 2, uuid: 'GPU-gone', healthy: true })];
    const probe = await probeGpuHealth({ runner: runnerOf(ok(DUAL_A5000)), nvidiaSmi: 'nvidia-smi' });
    expect(healthReports(withStranger, probe)[2]).toEqual({ uuid: 'GPU-gone', healthy: false, reasons: ['not reported by nvidia-smi (lost from the bus?)'] });
  });

  it('marks every GPU unhealthy, saying why, when nvidia-smi fails', async () => {
    const failed: CommandResult = {
      code: 9,
      stdout: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n",
      stderr: '',
      timedOut: false,
    };
    const probe = await probeGpuHealth({ runner: runnerOf(failed), nvidiaSmi: 'nvidia-smi' });
    expect(probe.ok).toBe(false);
    const reports = healthReports(registered, probe);
    expect(reports.map((r) => r.healthy)).toEqual([false, false]);
    expect(reports[0]!.reasons[0]).toMatch(/^health unknown: nvidia-smi exited with code 9: NVIDIA-SMI has failed/);
  });

  it('treats a timed-out probe as unknown health too', async () => {
    const probe = await probeGpuHealth({ runner: runnerOf({ code: null, stdout: '', stderr: '', timedOut: true }), nvidiaSmi: '/opt/smi' });
    expect(healthReports(registered, probe)[0]!.reasons).toEqual(['health unknown: /opt/smi did not finish in time']);
  });
});

describe('GpuHealthMonitor', () => {
  function monitorWith(results: (GpuProbeResult | Error)[]) {
    const timers = new ManualTimers();
    let calls = 0;
    const monitor = new GpuHealthMonitor({
      probe: async () => {
        const r = results[Math.min(calls++, results.length - 1)]!;
        if (r instanceof Error) throw r;
        return r;
      },
      gpus: () => registered,
      intervalMs: 5000,
      logger: nullLogger,
      timers,
    });
    return { monitor, timers, calls: () => calls };
  }
  const seen = (bHealthy: boolean): GpuProbeResult => ({
    ok: true,
    byUuid: new Map([
      [A, { healthy: true, reasons: [] }],
      [B, bHealthy ? { healthy: true, reasons: [] } : { healthy: false, reasons: ['uncorrectable ECC'] }],
    ]),
  });

  it('reports the registered health until the first probe, then what each probe found', async () => {
    const { monitor, timers } = monitorWith([seen(false), seen(true)]);
    expect(monitor.reports().map((r) => r.healthy)).toEqual([true, true]);
    monitor.start();
    timers.fireAll();
    await monitor.inFlight;
    expect(monitor.reports()[1]).toEqual({ uuid: B, healthy: false, reasons: ['uncorrectable ECC'] });
    expect([...timers.pending.values()].map((t) => t.ms)).toEqual([5000]);
    timers.fireAll();
    await monitor.inFlight;
    expect(monitor.reports()[1]!.healthy).toBe(true);
    monitor.stop();
    expect(timers.pending.size).toBe(0);
  });

  it('keeps the last reports when a probe throws, and goes on probing', async () => {
    const { monitor, timers, calls } = monitorWith([seen(false), new Error('boom'), seen(true)]);
    monitor.start();
    timers.fireAll();
    await monitor.inFlight;
    timers.fireAll();
    await monitor.inFlight;
    expect(monitor.reports()[1]!.healthy).toBe(false);
    timers.fireAll();
    await monitor.inFlight;
    expect(calls()).toBe(3);
    expect(monitor.reports()[1]!.healthy).toBe(true);
    monitor.stop();
  });
});
