/**
 * Discovery as the daemons run it: an agent whose nvidia-smi fails the way a
 * host without a loaded driver does registers as a CPU-only node with a
 * GpuDiscovery condition saying why (and `muster nodes NAME` shows it); an
 * agent whose nvidia-smi prints a real recorded capture registers its GPUs,
 * and when one GPU starts reporting a pending row remap, the scheduler takes
 * it out of placement through heartbeats alone (re-discovery is off).
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../../cli/src/util/poll.js';
import type { Node } from '../../shared/src/proto/types.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

/** Two RTX A5000s, driver 590.44.01 (telegraf testdata, MIT; agent/src/discovery/testdata/nvidia-smi-xml/README.md). */
const CAPTURE = readFileSync(path.resolve('agent/src/discovery/testdata/nvidia-smi-xml/telegraf__dual_a5000-v13.xml'), 'utf8');
const GPU1 = 'GPU-12345678-aaaa-bbbb-cccc-0123456789cd';
const PENDING = '<remapped_row_pending>Yes</remapped_row_pending>';
const NOT_PENDING = '<remapped_row_pending>No</remapped_row_pending>';

let tmp: string;
let tc: TestCluster;

function script(file: string, body: string): string {
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** replaceAtomically swaps the capture the recorded nvidia-smi prints (rename: the script never sees half a file). */
function replaceAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'muster-discovery-'));
  const failing = script(
    path.join(tmp, 'nvidia-smi-no-driver'),
    `echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."\nexit 9`,
  );
  replaceAtomically(path.join(tmp, 'q.xml'), CAPTURE);
  const recorded = script(
    path.join(tmp, 'nvidia-smi-recorded'),
    `case "$1" in\n  -q) cat "${path.join(tmp, 'q.xml')}" ;;\n  *) echo "no recorded output for: $*" >&2; exit 2 ;;\nesac`,
  );
  tc = await startTestCluster({
    agents: 2,
    agentArgs: ['--rediscover-interval', '0'],
    agentArgsFor: (i) => (i === 0 ? ['--nvidia-smi', failing] : ['--nvidia-smi', recorded, '--gpu-health-interval', '200ms']),
  });
});
afterAll(async () => {
  await tc?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function node(name: string): Promise<Node> {
  const n = (await tc.api.nodes()).find((x) => x.name === name);
  if (!n) throw new Error(`node ${name} is not registered`);
  return n;
}

function musterCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.resolve('bin/muster.js'), '--scheduler', tc.schedulerAddress, ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? 1 : 0, stdout, stderr }),
    );
  });
}

it('an agent whose nvidia-smi cannot reach the driver registers CPU-only, with a condition that says why', async () => {
  const n = await node('local-1');
  expect(n.inventory!.gpus).toEqual([]);
  expect(n.inventory!.allocatable!.gpus).toBe(0);
  expect(n.conditions).toContainEqual(
    expect.objectContaining({ type: 'GpuDiscovery', status: 'False', reason: 'NvidiaSmiFailed', message: expect.stringContaining("couldn't communicate with the NVIDIA driver") }),
  );
  const shown = await musterCli(['nodes', 'local-1']);
  expect(shown.code, shown.stderr).toBe(0);
  expect(shown.stdout).toContain('GpuDiscovery');
  expect(shown.stdout).toContain('NvidiaSmiFailed');
});

it('a GPU that starts reporting a pending row remap leaves placement through heartbeats, and comes back when it clears', async () => {
  const before = await node('local-2');
  expect(before.inventory!.gpus.map((g) => [g.model, g.healthy])).toEqual([
    ['NVIDIA RTX A5000', true],
    ['NVIDIA RTX A5000', true],
  ]);
  expect(before.inventory!.allocatable!.gpus).toBe(2);

  const at = CAPTURE.lastIndexOf(NOT_PENDING);
  replaceAtomically(path.join(tmp, 'q.xml'), CAPTURE.slice(0, at) + PENDING + CAPTURE.slice(at + NOT_PENDING.length));
  const sick = await waitFor(
    async () => {
      const n = await node('local-2');
      return n.inventory!.gpus.find((g) => g.uuid === GPU1)?.healthy === false ? n : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: 'GPU 1 reported unhealthy' },
  );
  expect(sick.inventory!.gpus.find((g) => g.uuid === GPU1)!.healthReasons).toEqual(['row remapping pending (GPU reset required)']);
  expect(sick.inventory!.allocatable!.gpus).toBe(1);

  // Placement only offers the healthy GPU: a 2-GPU JobSet waits, a 1-GPU one runs on GPU 0.
  await tc.submit({ metadata: { name: 'two' }, spec: { replicatedJobs: [{ name: 'w', template: { template: { command: ['true'], resources: { gpus: 2 } } } }] } });
  await tc.submit({ metadata: { name: 'one' }, spec: { replicatedJobs: [{ name: 'w', template: { template: { command: ['sh', '-c', 'echo $CUDA_VISIBLE_DEVICES'], resources: { gpus: 1 } } } }] } });
  await tc.waitForJobSet('one', (js) => js.status?.phase === 'JOB_SET_PHASE_SUCCEEDED', 'succeeded');
  expect(tc.podLog('one/w/0/0').trim()).toBe('0');
  expect((await tc.api.getJobSet('two')).status!.phase).toBe('JOB_SET_PHASE_PENDING');

  replaceAtomically(path.join(tmp, 'q.xml'), CAPTURE);
  await tc.waitForJobSet('two', (js) => js.status?.phase === 'JOB_SET_PHASE_SUCCEEDED', 'succeeded once both GPUs are healthy');
  expect((await node('local-2')).inventory!.allocatable!.gpus).toBe(2);
});
