/**
 * GPU binding on a real local cluster: one agent playing the recorded 8×A100
 * host (deploy/hardware/a100-sxm-8gpu.json: NVSwitch, four RDMA NICs closest
 * to each GPU pair). A first JobSet takes 3 GPUs; a 2-GPU pod then gets two
 * of the others with the NICs closest to each, and every pod's environment
 * (CUDA_VISIBLE_DEVICES, CUDA_DEVICE_ORDER, NCCL_IB_HCA, UCX_NET_DEVICES) is
 * the binding the scheduler chose and `muster describe` shows. Each pod also
 * gets a CPU of its own (its cpuset), and the kernel runs it on that CPU only
 * (the agent binds it: a cpuset cgroup here, else taskset) — the recorded
 * host's CPUs 0 and 1 exist on every machine this runs on.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { musterCli } from '../helpers/cli.js';
import { envOf, startTestCluster, type TestCluster } from '../helpers/cluster.js';

let tc: TestCluster;
beforeAll(async () => {
  tc = await startTestCluster({ agents: 1, hardware: [path.resolve('deploy/hardware/a100-sxm-8gpu.json')] });
});
afterAll(async () => {
  await tc?.stop();
});

/** CPUS prints the CPUs the kernel lets the pod run on, as an env-style line. */
const CPUS = "echo ALLOWED_CPUS=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)";

const printEnv = (name: string, gpus: number, hold: boolean) => ({
  metadata: { name },
  spec: { replicatedJobs: [{ name: 'w', template: { template: { command: ['sh', '-c', hold ? `env; ${CPUS}; until [ -e ${name}.stop ]; do sleep 0.05; done` : `env; ${CPUS}`], resources: { cpu: '1', memory: '256Mi', gpus } } } }] },
});

it('each pod runs with the GPUs and RDMA NICs of its binding', async () => {
  await tc.submit(printEnv('three', 3, true));
  const three = await tc.waitForJobSet('three', (js) => js.status!.phase === 'JOB_SET_PHASE_RUNNING', 'running');
  await tc.submit(printEnv('pair', 2, false));
  const pair = await tc.waitForJobSet('pair', (js) => js.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'succeeded');

  const b3 = three.status!.pods[0]!.binding!;
  const b2 = pair.status!.pods[0]!.binding!;
  expect(b3.gpuIndices).toEqual([0, 1, 2]);
  // NVSwitch links every pair alike on this one-socket host: the lowest free GPUs, and the NICs topo -m puts closest to each.
  expect(b2.gpuIndices).toEqual([3, 4]);
  expect(b2.nics).toEqual(['mlx5_6', 'mlx5_7', 'mlx5_8', 'mlx5_9', 'mlx5_10', 'mlx5_11', 'mlx5_12', 'mlx5_13']);
  const env = envOf(tc.podLog('pair/w/0/0'));
  expect(env.CUDA_VISIBLE_DEVICES).toBe('3,4');
  expect(env.CUDA_DEVICE_ORDER).toBe('PCI_BUS_ID');
  expect(env.NCCL_IB_HCA).toBe(b2.nics.join(','));
  expect(env.UCX_NET_DEVICES).toBe(b2.nics.map((n) => `${n}:1`).join(','));
  expect(envOf(tc.podLog('three/w/0/0')).CUDA_VISIBLE_DEVICES).toBe('0,1,2');

  // One whole CPU each (cpu: 1), disjoint, on the GPUs' NUMA node; the pod runs on exactly that CPU.
  expect([b3.cpuset, b2.cpuset]).toEqual(['0', '1']);
  expect(b2.numaNode).toBe(0);
  expect(envOf(tc.podLog('three/w/0/0')).ALLOWED_CPUS).toBe(b3.cpuset);
  expect(env.ALLOWED_CPUS).toBe(b2.cpuset);

  const described = await musterCli(tc, ['describe', 'pair']);
  expect(described.stdout).toMatch(/pair\/w\/0\/0\s+local-1\s+3,4\s+1\s+0\s+mlx5_6,mlx5_7,mlx5_8,mlx5_9,mlx5_10,mlx5_11,mlx5_12,mlx5_13\s/);
  await musterCli(tc, ['cancel', 'three']);
});
