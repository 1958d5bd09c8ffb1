// Network interfaces from /sys/class/net and RDMA devices from /sys/class/infiniband,
// paired with their netdevs. Pure parsing over an injected Sysfs; missing or malformed
// values become undefined fields, never a throw.
import { normalizePciBusId } from './sysfs-numa.js';
import { readInt, readTrimmed, type Sysfs } from './sysfs.js';

/** One physical network interface from /sys/class/net/<name>. */
export interface NetInterface {
  /** Interface name ("eth0", "ens1f0np0"). */
  name: string;
  /** Name of the backing device: basename of the `device` symlink, or PCI_SLOT_NAME from `device/uevent`. */
  device: string;
  /** The device's PCI address ("0000:53:00.0") when the device is a PCI function. */
  pciBusId?: string;
  /** Link speed in Mb/s from `speed`; undefined when missing, unknown (-1) or not numeric. */
  speedMbps?: number;
  /** MTU in bytes from `mtu`. */
  mtu?: number;
  /** `operstate` as the kernel writes it ("up", "down", "unknown", …). */
  operState?: string;
  /** NUMA node from `device/numa_node`; undefined when missing or -1. */
  numaNode?: number;
}

/** One port of an RDMA device, from /sys/class/infiniband/<dev>/ports/<n>. */
export interface RdmaPort {
  /** Port number (directory name). */
  port: number;
  /** Logical state name from `state` ("4: ACTIVE" → "ACTIVE"). */
  state?: string;
  /** Numeric logical state from `state` ("4: ACTIVE" → 4). */
  stateCode?: number;
  /** Physical state name from `phys_state` ("5: LinkUp" → "LinkUp"). */
  physState?: string;
  /** Rate in Gb/s from `rate` ("400 Gb/sec (4X NDR)" → 400). */
  rateGbps?: number;
  /** The `rate` text as written ("400 Gb/sec (4X NDR)"). */
  rate?: string;
  /** `link_layer`: "InfiniBand" or "Ethernet" (RoCE). */
  linkLayer?: string;
}

/** One RDMA device from /sys/class/infiniband/<name>. */
export interface RdmaDevice {
  /** Device name ("mlx5_0", "mlx5_bond_0"). */
  name: string;
  /** `hca_type` ("MT4129"). */
  hcaType?: string;
  /** `fw_ver`. */
  firmwareVersion?: string;
  /** `board_id`. */
  boardId?: string;
  /** PCI address of the device, from the basename of the `device` symlink. */
  pciBusId?: string;
  /** NUMA node from `device/numa_node`; undefined when missing or -1. */
  numaNode?: number;
  /** Netdevs listed under `device/net/`, sorted; empty when none (e.g. a pure IB port without IPoIB). */
  netdevs: string[];
  /** The paired netdev: the first of `netdevs`, if any. */
  netdev?: string;
  /** Ports sorted by number. */
  ports: RdmaPort[];
}

const NET_DIR = '/sys/class/net';
const IB_DIR = '/sys/class/infiniband';

function basename(p: string): string {
  const parts = p.split('/').filter((s) => s !== '');
  return parts[parts.length - 1] ?? '';
}

function nonNegative(n: number | undefined): number | undefined {
  return n === undefined || n < 0 ? undefined : n;
}

function deviceName(sysfs: Sysfs, devLinkPath: string): string | undefined {
  const target = sysfs.readLink(devLinkPath);
  if (target !== undefined) {
    const b = basename(target);
    if (b !== '') return b;
  }
  const uevent = sysfs.readFile(`${devLinkPath}/uevent`);
  if (uevent !== undefined) {
    const m = /^PCI_SLOT_NAME=(\S+)\s*$/m.exec(uevent);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

/**
 * Lists physical interfaces under /sys/class/net, sorted by name. Skips `lo` and every
 * interface without a backing device (bridges, veth, bonds, tunnels): an interface is
 * physical when `device` is a symlink or `device/uevent` names a PCI_SLOT_NAME.
 */
export function readNics(sysfs: Sysfs): NetInterface[] {
  const out: NetInterface[] = [];
  for (const name of (sysfs.listDir(NET_DIR) ?? []).slice().sort()) {
    if (name === 'lo') continue;
    const dir = `${NET_DIR}/${name}`;
    const device = deviceName(sysfs, `${dir}/device`);
    if (device === undefined) continue;
    const nic: NetInterface = { name, device };
    const pci = normalizePciBusId(device);
    if (pci !== undefined) nic.pciBusId = pci;
    const speed = nonNegative(readInt(sysfs, `${dir}/speed`));
    if (speed !== undefined) nic.speedMbps = speed;
    const mtu = nonNegative(readInt(sysfs, `${dir}/mtu`));
    if (mtu !== undefined) nic.mtu = mtu;
    const oper = readTrimmed(sysfs, `${dir}/operstate`);
    if (oper !== undefined) nic.operState = oper;
    const numa = nonNegative(readInt(sysfs, `${dir}/device/numa_node`));
    if (numa !== undefined) nic.numaNode = numa;
    out.push(nic);
  }
  return out;
}

/** Splits a sysfs "<code>: <NAME>" value ("4: ACTIVE"); a bare name gives no code. */
export function parseCodedState(text: string): { code?: number; name?: string } {
  const m = /^\s*(?:(\d+)\s*:\s*)?(\S.*?)?\s*$/.exec(text);
  const out: { code?: number; name?: string } = {};
  if (!m) return out;
  if (m[1] !== undefined) out.code = Number(m[1]);
  if (m[2] !== undefined) out.name = m[2];
  return out;
}

/** Parses an RDMA port `rate` ("400 Gb/sec (4X NDR)", "2.5 Gb/sec (1X SDR)") into Gb/s. */
export function parseRateGbps(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*Gb\/sec\b/.exec(text);
  return m ? Number(m[1]) : undefined;
}

function readPort(sysfs: Sysfs, dir: string, port: number): RdmaPort {
  const p: RdmaPort = { port };
  const state = readTrimmed(sysfs, `${dir}/state`);
  if (state !== undefined) {
    const s = parseCodedState(state);
    if (s.name !== undefined) p.state = s.name;
    if (s.code !== undefined) p.stateCode = s.code;
  }
  const phys = readTrimmed(sysfs, `${dir}/phys_state`);
  if (phys !== undefined) {
    const s = parseCodedState(phys);
    if (s.name !== undefined) p.physState = s.name;
  }
  const rate = readTrimmed(sysfs, `${dir}/rate`);
  if (rate !== undefined) {
    p.rate = rate;
    const g = parseRateGbps(rate);
    if (g !== undefined) p.rateGbps = g;
  }
  const ll = readTrimmed(sysfs, `${dir}/link_layer`);
  if (ll !== undefined) p.linkLayer = ll;
  return p;
}

/**
 * Lists RDMA devices under /sys/class/infiniband, sorted by name, each with its ports
 * and the netdev(s) found under `device/net/`. No /sys/class/infiniband gives [].
 */
export function readRdmaDevices(sysfs: Sysfs): RdmaDevice[] {
  const out: RdmaDevice[] = [];
  for (const name of (sysfs.listDir(IB_DIR) ?? []).slice().sort()) {
    const dir = `${IB_DIR}/${name}`;
    if (sysfs.listDir(dir) === undefined) continue; // a dangling class link: no device to report
    const netdevs = (sysfs.listDir(`${dir}/device/net`) ?? []).slice().sort();
    const ports = (sysfs.listDir(`${dir}/ports`) ?? [])
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .sort((a, b) => a - b)
      .map((n) => readPort(sysfs, `${dir}/ports/${n}`, n));
    const dev: RdmaDevice = { name, netdevs, ports };
    const hca = readTrimmed(sysfs, `${dir}/hca_type`);
    if (hca !== undefined) dev.hcaType = hca;
    const fw = readTrimmed(sysfs, `${dir}/fw_ver`);
    if (fw !== undefined) dev.firmwareVersion = fw;
    const board = readTrimmed(sysfs, `${dir}/board_id`);
    if (board !== undefined) dev.boardId = board;
    const link = sysfs.readLink(`${dir}/device`);
    const pci = link === undefined ? undefined : normalizePciBusId(basename(link));
    if (pci !== undefined) dev.pciBusId = pci;
    const numa = nonNegative(readInt(sysfs, `${dir}/device/numa_node`));
    if (numa !== undefined) dev.numaNode = numa;
    if (netdevs[0] !== undefined) dev.netdev = netdevs[0];
    out.push(dev);
  }
  return out;
}
