// discoverHost: the node inventory of this host from nvidia-smi (GPUs, MIG, health,
// topology) and sysfs (NUMA, NICs, RDMA) plus the systeminformation facts (CPU,
// memory, OS). Every source is injected (command runner, sysfs reader, facts) so the
// same code runs against the live host, a recorded machine or fakes. Never throws:
// a source that fails leaves its part empty and says why in a node condition.
import { formatCpuList } from '../../../shared/src/cpulist.js';
import type { NodeCondition, NodeInventory } from '../../../shared/src/proto/types.js';
import { withProtoDefaults } from '../../../shared/src/proto/defaults.js';
import { deriveCapacity, inventoryFromFacts, readSystemFacts, type SystemFacts } from '../inventory.js';
import type { CommandResult, CommandRunner } from './command-runner.js';
import type { DiscoveredGpu, DiscoveredGpuHost } from './gpu-types.js';
import { parseNvidiaSmiList, type ListedGpu } from './nvidia-smi-list.js';
import { looksLikeNvidiaSmiText, parseNvidiaSmiText } from './nvidia-smi-text.js';
import { parseNvidiaSmiXml } from './nvidia-smi-xml.js';
import { readNics, readRdmaDevices, type RdmaDevice } from './sysfs-net.js';
import { pciNumaNode, readNumaNodes } from './sysfs-numa.js';
import type { Sysfs } from './sysfs.js';
import { closestNics, linkBetween, linkScore, parseTopoMatrix, type TopoMatrix } from './topo-matrix.js';

type Gpu = NodeInventory['gpus'][number];
type Nic = NodeInventory['nics'][number];
type NumaNodeMsg = NodeInventory['numaNodes'][number];

/** Condition type saying whether GPUs could be discovered (status True/False). */
export const GPU_DISCOVERY = 'GpuDiscovery';
/** Condition type set (status True) when `nvidia-smi topo -m` failed; GPUs are still reported. */
export const TOPOLOGY_UNAVAILABLE = 'TopologyUnavailable';
/** MIG_LIST_UNAVAILABLE is set when `nvidia-smi -L`, needed for MIG profiles, failed. */
export const MIG_LIST_UNAVAILABLE = 'MigListUnavailable';

/** Why GPU discovery failed (NodeCondition.reason). */
export type GpuDiscoveryFailure = 'NvidiaSmiNotFound' | 'NvidiaSmiFailed' | 'NvidiaSmiTimeout' | 'NvidiaSmiUnparsable';

/** DEFAULT_DISCOVERY_TIMEOUT_MS bounds each nvidia-smi call. */
export const DEFAULT_DISCOVERY_TIMEOUT_MS = 10_000;

/** Inputs of discoverHost. */
export interface DiscoverOptions {
  /** Runs nvidia-smi. */
  runner: CommandRunner;
  /** The nvidia-smi binary (a name looked up on PATH, or a path). */
  nvidiaSmi: string;
  /** The sysfs tree (hostSysfs('/') on a live host). */
  sysfs: Sysfs;
  /** CPU, memory and OS facts; read with systeminformation when not given. */
  facts?: SystemFacts;
  /** Per-command timeout (default 10 s). */
  timeoutMs?: number;
}

const EMPTY_FACTS: SystemFacts = {
  cpu: { manufacturer: '', brand: '', physicalCores: 0, cores: 0, processors: 0 },
  memTotal: 0,
  os: { distro: '', release: '', kernel: '', hostname: '' },
};

function condition(type: string, status: string, reason: string, message: string): NodeCondition {
  return { type, status, reason, message, lastTransitionMs: Date.now() };
}

/** firstLine is the first non-empty line of the texts, in order; '' when all are empty. */
function firstLine(...texts: (string | undefined)[]): string {
  for (const t of texts) {
    const line = (t ?? '').split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '');
    if (line) return line;
  }
  return '';
}

/** SMI_FAILED matches nvidia-smi's "NVIDIA-SMI has failed because …" (printed on stdout, exit 9). */
const SMI_FAILED = /NVIDIA-SMI has failed/i;

/** classifyFailure says why a command result is not usable output, or undefined when it is. */
function classifyFailure(cmd: string, r: CommandResult): { reason: GpuDiscoveryFailure; message: string } | undefined {
  if (r.timedOut) return { reason: 'NvidiaSmiTimeout', message: `${cmd} did not finish in time` };
  if (r.error) {
    if (r.error.code === 'ENOENT') return { reason: 'NvidiaSmiNotFound', message: `${cmd} not found: ${firstLine(r.error.message)}` };
    return { reason: 'NvidiaSmiFailed', message: `${cmd}: ${firstLine(r.error.message, r.stderr)}` };
  }
  const failedText = SMI_FAILED.test(r.stdout) || SMI_FAILED.test(r.stderr);
  if (r.code !== 0 || failedText) {
    const detail = failedText ? firstLine(r.stdout.match(/.*NVIDIA-SMI has failed.*/i)?.[0], r.stderr) : firstLine(r.stderr, r.stdout);
    return { reason: 'NvidiaSmiFailed', message: `${cmd} exited with code ${r.code ?? 'none'}${detail ? `: ${detail}` : ''}` };
  }
  return undefined;
}

async function run(o: Pick<DiscoverOptions, 'runner' | 'nvidiaSmi'>, args: string[], timeoutMs: number): Promise<CommandResult> {
  try {
    return await o.runner(o.nvidiaSmi, args, { timeoutMs });
  } catch (err) {
    // A runner is not supposed to reject; treat it as a spawn failure if one does.
    return { code: null, stdout: '', stderr: '', timedOut: false, error: { message: (err as Error)?.message ?? String(err) } };
  }
}

/** What readNvidiaSmiReport found: the host's GPUs, or why there are none to read. */
export type NvidiaSmiReport = { ok: true; host: DiscoveredGpuHost } | { ok: false; reason: GpuDiscoveryFailure; message: string };

/**
 * readNvidiaSmiReport runs `nvidia-smi -q -x` and reads its GPUs. A binary (or
 * a recorded machine's script) that prints the text report of `nvidia-smi -q`
 * instead is read with the text parser: most captures from the field are text.
 * Never rejects.
 */
export async function readNvidiaSmiReport(runner: CommandRunner, nvidiaSmi: string, timeoutMs: number): Promise<NvidiaSmiReport> {
  const r = await run({ runner, nvidiaSmi }, ['-q', '-x'], timeoutMs);
  const failure = classifyFailure(nvidiaSmi, r);
  if (failure) return { ok: false, ...failure };
  const parsed = looksLikeNvidiaSmiText(r.stdout) ? parseNvidiaSmiText(r.stdout) : parseNvidiaSmiXml(r.stdout);
  if (!parsed.ok) return { ok: false, reason: 'NvidiaSmiUnparsable', message: `${nvidiaSmi} -q -x: ${firstLine(parsed.error)}` };
  return { ok: true, host: parsed.host };
}

function gpuFromXml(g: DiscoveredGpu, sysfs: Sysfs, topo: TopoMatrix | undefined): Gpu {
  const topoGpu = topo?.gpus.find((t) => t.index === g.index);
  const numa = topoGpu?.numaNode ?? (g.pciBusId ? pciNumaNode(sysfs, g.pciBusId) : undefined) ?? -1;
  const links: Gpu['links'] = [];
  if (topo && topoGpu)
    for (const peer of topo.gpus) {
      if (peer.index === g.index) continue;
      const l = linkBetween(topo, topoGpu.name, peer.name);
      if (!l || l.kind === 'X') continue;
      links.push({ peerIndex: peer.index, kind: l.kind, nvlinks: l.nvlinkCount ?? 0, score: linkScore(l.kind, l.nvlinkCount) });
    }
  const nics = topo && topoGpu ? closestNics(topo, g.index).map((n) => n.device ?? n.name) : [];
  return withProtoDefaults<Gpu>('muster.v1.Gpu', {
    index: g.index,
    uuid: g.uuid,
    model: g.productName,
    memoryBytes: g.memoryTotalBytes,
    pciBusId: g.pciBusId,
    numaNode: numa,
    healthy: g.health.healthy,
    healthReasons: g.health.reasons,
    minorNumber: g.minorNumber,
    architecture: g.architecture,
    migEnabled: g.migMode.current === true,
    migDevices: g.migDevices.map((m) => ({
      index: m.index,
      gpuInstanceId: m.gpuInstanceId,
      computeInstanceId: m.computeInstanceId,
      profile: m.profile,
      memoryBytes: m.memoryTotalBytes,
      uuid: m.uuid,
    })),
    links,
    closestNics: nics,
    cpuAffinity: topoGpu?.cpuAffinity,
    powerLimitWatts: g.powerLimitWatts,
    eccEnabled: g.eccMode.current === true,
    persistenceMode: g.persistenceMode === true,
  });
}

/** withListedMigs fills the MIG devices' missing profiles and UUIDs from `nvidia-smi -L` (by GPU index and device index). */
function withListedMigs(gpus: Gpu[], listed: ListedGpu[]): Gpu[] {
  return gpus.map((g) => {
    const l = listed.find((x) => x.index === g.index);
    if (!l) return g;
    return {
      ...g,
      migDevices: g.migDevices.map((m) => {
        const lm = l.migs.find((x) => x.index === m.index);
        return lm ? { ...m, profile: m.profile || lm.profile, uuid: m.uuid || lm.uuid } : m;
      }),
    };
  });
}

function rdmaPorts(dev: RdmaDevice): Nic['rdmaPorts'] {
  return dev.ports.map((p) => ({ port: p.port, state: p.state ?? '', rateGbps: p.rateGbps ?? 0, linkLayer: p.linkLayer ?? '' }));
}

/** discoverNics pairs /sys/class/net interfaces with RDMA devices by netdev; unpaired RDMA devices become their own Nic. */
export function discoverNics(sysfs: Sysfs): { nics: Nic[]; activeRdma: number } {
  const rdma = readRdmaDevices(sysfs);
  const byNetdev = new Map<string, RdmaDevice>();
  for (const d of rdma) if (d.netdev !== undefined && !byNetdev.has(d.netdev)) byNetdev.set(d.netdev, d);
  const paired = new Set<string>();
  const nics: Nic[] = readNics(sysfs).map((n) => {
    const dev = byNetdev.get(n.name);
    if (dev) paired.add(dev.name);
    return withProtoDefaults<Nic>('muster.v1.Nic', {
      name: n.name,
      speedMbps: n.speedMbps,
      mtu: n.mtu,
      state: n.operState,
      pciAddress: n.pciBusId,
      numaNode: n.numaNode ?? dev?.numaNode ?? -1,
      rdmaDevice: dev?.name,
      rdmaPorts: dev ? rdmaPorts(dev) : [],
    });
  });
  for (const d of rdma) {
    if (paired.has(d.name)) continue;
    nics.push(
      withProtoDefaults<Nic>('muster.v1.Nic', {
        name: d.name,
        pciAddress: d.pciBusId,
        numaNode: d.numaNode ?? -1,
        rdmaDevice: d.name,
        rdmaPorts: rdmaPorts(d),
      }),
    );
  }
  const activeRdma = rdma.filter((d) => d.ports.some((p) => p.state?.toUpperCase() === 'ACTIVE')).length;
  return { nics, activeRdma };
}

/** discoverNumaNodes reads /sys/devices/system/node. */
export function discoverNumaNodes(sysfs: Sysfs): NumaNodeMsg[] {
  return readNumaNodes(sysfs).map((n) =>
    withProtoDefaults<NumaNodeMsg>('muster.v1.NumaNode', { id: n.id, cpus: formatCpuList(n.cpus), memoryBytes: n.memoryBytes, distances: n.distances }),
  );
}

/**
 * discoverHost builds this host's NodeInventory. GPUs come from `nvidia-smi -q -x`
 * (none, with a GpuDiscovery=False condition, when it is missing, fails, hangs or
 * prints something unreadable); links, closest NICs, CPU and NUMA affinity from
 * `nvidia-smi topo -m` (a TopologyUnavailable condition when that alone fails; GPU
 * NUMA then comes from sysfs); NUMA nodes, NICs and RDMA devices from sysfs.
 * Capacity counts healthy GPUs and RDMA devices with an ACTIVE port. Never throws.
 */
export async function discoverHost(o: DiscoverOptions): Promise<NodeInventory> {
  const timeoutMs = o.timeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS;
  const conditions: NodeCondition[] = [];
  let facts = o.facts;
  if (!facts) {
    try {
      facts = await readSystemFacts();
    } catch (err) {
      facts = EMPTY_FACTS;
      conditions.push(condition('SystemFactsUnavailable', 'True', 'SystemInformationFailed', firstLine((err as Error)?.message ?? String(err))));
    }
  }
  const base = inventoryFromFacts(facts);

  let gpus: Gpu[] = [];
  let driverVersion = '';
  let cudaVersion = '';
  const cmd = o.nvidiaSmi;
  const parsed = await readNvidiaSmiReport(o.runner, cmd, timeoutMs);
  if (!parsed.ok) {
    conditions.push(condition(GPU_DISCOVERY, 'False', parsed.reason, parsed.message));
  } else {
    let topo: TopoMatrix | undefined;
    if (parsed.host.gpus.length > 0) {
      const topoRun = await run(o, ['topo', '-m'], timeoutMs);
      const topoFailure = classifyFailure(cmd, topoRun);
      const topoParsed = topoFailure ? undefined : parseTopoMatrix(topoRun.stdout);
      if (topoFailure) {
        conditions.push(condition(TOPOLOGY_UNAVAILABLE, 'True', topoFailure.reason, `topo -m: ${topoFailure.message}`));
      } else if (topoParsed && !topoParsed.ok) {
        conditions.push(condition(TOPOLOGY_UNAVAILABLE, 'True', 'NvidiaSmiUnparsable', `${cmd} topo -m: ${firstLine(topoParsed.error)}`));
      } else if (topoParsed?.ok) {
        topo = topoParsed;
      }
    }
    gpus = parsed.host.gpus.map((g) => gpuFromXml(g, o.sysfs, topo));
    // `-q` names no MIG profile or UUID on some drivers: `-L` does (a pod asks for a MIG device by profile).
    if (gpus.some((g) => g.migDevices.some((m) => !m.profile || !m.uuid))) {
      const listRun = await run(o, ['-L'], timeoutMs);
      const listFailure = classifyFailure(cmd, listRun);
      if (listFailure) conditions.push(condition(MIG_LIST_UNAVAILABLE, 'True', listFailure.reason, `-L: ${listFailure.message} (MIG devices without a profile are not placeable)`));
      else gpus = withListedMigs(gpus, parseNvidiaSmiList(listRun.stdout));
    }
    driverVersion = parsed.host.driverVersion ?? '';
    cudaVersion = parsed.host.cudaVersion ?? '';
    const unhealthy = gpus.filter((g) => !g.healthy).length;
    conditions.unshift(
      condition(
        GPU_DISCOVERY,
        'True',
        'NvidiaSmiOk',
        `${gpus.length} GPU(s) found${unhealthy ? `, ${unhealthy} unhealthy` : ''}${driverVersion ? ` (driver ${driverVersion})` : ''}`,
      ),
    );
  }

  const numaNodes = safe(() => discoverNumaNodes(o.sysfs), [] as NumaNodeMsg[]);
  const { nics, activeRdma } = safe(() => discoverNics(o.sysfs), { nics: [] as Nic[], activeRdma: 0 });
  const capacity = { ...deriveCapacity({ ...base, gpus }), rdma: activeRdma };
  return {
    ...base,
    gpus,
    driverVersion,
    cudaVersion,
    numaNodes,
    nics,
    conditions,
    capacity,
    allocatable: { ...capacity },
  };
}

/** safe runs a sysfs reader; they do not throw, but a bug in one must not take the agent down. */
function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
