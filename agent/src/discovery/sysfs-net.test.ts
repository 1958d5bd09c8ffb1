import { readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fakeSysfs, type Sysfs } from './sysfs.js';
import { parseRateGbps, readNics, readRdmaDevices } from './sysfs-net.js';

const RDMA = fileURLToPath(new URL('./testdata/rdma/', import.meta.url));

/** Loads a recorded directory into fakeSysfs entries under `prefix`. */
function loadTree(dir: string, prefix: string, out: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  for (const name of readdirSync(dir)) {
    const p = `${dir}/${name}`;
    if (statSync(p).isDirectory()) loadTree(p, `${prefix}/${name}`, out);
    else out[`${prefix}/${name}`] = readFileSync(p, 'utf8');
  }
  return out;
}

const IB_STATE: Record<string, string> = { Down: '1: DOWN', Initializing: '2: INIT', Armed: '3: ARMED', Active: '4: ACTIVE' };

/** Builds /sys/class/infiniband port files from an `ibstat` capture (the fields sysfs holds). */
function treeFromIbstat(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const block of text.split(/^CA '/m).slice(1)) {
    const name = /^([^']+)'/.exec(block)?.[1] ?? '';
    const base = `/sys/class/infiniband/${name}`;
    out[`${base}/hca_type`] = `${/CA type: (\S+)/.exec(block)?.[1]}\n`;
    out[`${base}/fw_ver`] = `${/Firmware version: (\S+)/.exec(block)?.[1]}\n`;
    const state = /State: (\S+)/.exec(block)?.[1] ?? '';
    out[`${base}/ports/1/state`] = `${IB_STATE[state] ?? state}\n`;
    out[`${base}/ports/1/rate`] = `${/Rate: (\d+)/.exec(block)?.[1]} Gb/sec\n`;
    out[`${base}/ports/1/link_layer`] = `${/Link layer: (\S+)/.exec(block)?.[1]}\n`;
  }
  return out;
}

describe('readRdmaDevices over the recorded H100 /sys/class/infiniband', () => {
  const tree = loadTree(`${RDMA}sys-class-infiniband-h100`, '/sys/class/infiniband');
  // The recording holds no device/ links; add PCI links and netdevs as a live host has them.
  tree['/sys/class/infiniband/mlx5_0/device'] = '-> ../../../0000:1a:00.0';
  tree['/sys/class/infiniband/mlx5_0/device/numa_node'] = '0\n';
  tree['/sys/class/infiniband/mlx5_0/device/net'] = ['ibp26s0'];
  tree['/sys/class/infiniband/mlx5_bond_0/device/net'] = ['enp86s0f1np1', 'bond0'];
  tree['/sys/class/infiniband/mlx5_9/device/numa_node'] = '-1\n';
  const devs = readRdmaDevices(fakeSysfs(tree));
  const names = readdirSync(`${RDMA}sys-class-infiniband-h100`).sort();

  it('lists every recorded device with its port', () => {
    expect(devs.map((d) => d.name)).toEqual(names);
    for (const d of devs) {
      const dir = `${RDMA}sys-class-infiniband-h100/${d.name}`;
      expect(d.hcaType).toBe(readFileSync(`${dir}/hca_type`, 'utf8').trim());
      expect(d.firmwareVersion).toBe(readFileSync(`${dir}/fw_ver`, 'utf8').trim());
      expect(d.ports).toHaveLength(1);
      const port = d.ports[0];
      expect(port?.rate).toBe(readFileSync(`${dir}/ports/1/rate`, 'utf8').trim());
      expect(port?.linkLayer).toBe(readFileSync(`${dir}/ports/1/link_layer`, 'utf8').trim());
      expect(port?.stateCode).toBe(Number(readFileSync(`${dir}/ports/1/state`, 'utf8').split(':')[0]));
    }
  });
  it('H100 values: 8x 400 Gb/s NDR InfiniBand + mlx5_bond_0 200 Gb/s Ethernet', () => {
    const ib = devs.filter((d) => d.ports[0]?.linkLayer === 'InfiniBand');
    expect(ib).toHaveLength(8);
    expect(ib.every((d) => d.ports[0]?.rateGbps === 400 && d.ports[0].state === 'ACTIVE' && d.ports[0].physState === 'LinkUp')).toBe(true);
    expect(ib.every((d) => d.hcaType === 'MT4129')).toBe(true);
    const bond = devs.find((d) => d.name === 'mlx5_bond_0');
    expect(bond?.ports[0]).toMatchObject({ linkLayer: 'Ethernet', rateGbps: 200, state: 'ACTIVE' });
  });
  it('pairs netdevs and reads PCI locality', () => {
    const m0 = devs.find((d) => d.name === 'mlx5_0');
    expect(m0).toMatchObject({ netdev: 'ibp26s0', netdevs: ['ibp26s0'], pciBusId: '0000:1a:00.0', numaNode: 0 });
    expect(devs.find((d) => d.name === 'mlx5_bond_0')).toMatchObject({ netdev: 'bond0', netdevs: ['bond0', 'enp86s0f1np1'] });
    const m9 = devs.find((d) => d.name === 'mlx5_9');
    expect(m9?.netdevs).toEqual([]);
    expect(m9?.netdev).toBeUndefined();
    expect(m9?.numaNode).toBeUndefined();
    expect(m9?.pciBusId).toBeUndefined();
  });
});

describe('readRdmaDevices from ibstat captures', () => {
  it('h100.some.down: 3 Ethernet ports down at 40, 12 CAs', () => {
    const text = readFileSync(`${RDMA}gpud__ibstat.47.0.h100.some.down.0`, 'utf8');
    const devs = readRdmaDevices(fakeSysfs(treeFromIbstat(text)));
    expect(devs).toHaveLength((text.match(/^CA '/gm) ?? []).length);
    const down = devs.filter((d) => d.ports[0]?.state === 'DOWN').map((d) => d.name);
    expect(down).toEqual(['mlx5_2', 'mlx5_7', 'mlx5_8']);
    expect(devs.filter((d) => d.ports[0]?.state === 'DOWN').every((d) => d.ports[0]?.rateGbps === 40 && d.ports[0].stateCode === 1)).toBe(true);
    expect(devs.find((d) => d.name === 'mlx5_1')?.ports[0]).toMatchObject({ rateGbps: 100, linkLayer: 'Ethernet' });
  });
  it('h100.all.active: every port ACTIVE', () => {
    const text = readFileSync(`${RDMA}gpud__ibstat.47.0.h100.all.active.0`, 'utf8');
    const devs = readRdmaDevices(fakeSysfs(treeFromIbstat(text)));
    expect(devs).toHaveLength(12);
    expect(devs.every((d) => d.ports[0]?.stateCode === 4)).toBe(true);
  });
  it('malformed and missing files', () => {
    const devs = readRdmaDevices(
      fakeSysfs({
        '/sys/class/infiniband/mlx5_0/ports/1/rate': 'garbage\n',
        '/sys/class/infiniband/mlx5_0/ports/1/state': '\n',
        '/sys/class/infiniband/mlx5_0/ports/notaport/state': '4: ACTIVE\n',
        '/sys/class/infiniband/mlx5_1/hca_type': 'MT4129\n',
      }),
    );
    expect(devs).toEqual([
      { name: 'mlx5_0', netdevs: [], ports: [{ port: 1, rate: 'garbage' }] },
      { name: 'mlx5_1', hcaType: 'MT4129', netdevs: [], ports: [] },
    ]);
    expect(readRdmaDevices(fakeSysfs({}))).toEqual([]);
    expect(parseRateGbps('2.5 Gb/sec (1X SDR)')).toBe(2.5);
  });
});

describe('readNics', () => {
  const sysfs: Sysfs = fakeSysfs({
    '/sys/class/net/lo/mtu': '65536\n',
    '/sys/class/net/lo/operstate': 'unknown\n',
    '/sys/class/net/bond0/mtu': '9000\n',
    '/sys/class/net/docker0/mtu': '1500\n',
    '/sys/class/net/veth1a2b/speed': '10000\n',
    '/sys/class/net/ens1f0np0/device': '-> ../../../0000:53:00.0',
    '/sys/class/net/ens1f0np0/device/numa_node': '0\n',
    '/sys/class/net/ens1f0np0/speed': '400000\n',
    '/sys/class/net/ens1f0np0/mtu': '4200\n',
    '/sys/class/net/ens1f0np0/operstate': 'up\n',
    '/sys/class/net/eno2/device/uevent': 'DRIVER=ixgbe\nPCI_CLASS=20000\nPCI_SLOT_NAME=0000:c3:00.1\n',
    '/sys/class/net/eno2/device/numa_node': '-1\n',
    '/sys/class/net/eno2/speed': '-1\n',
    '/sys/class/net/eno2/mtu': 'x\n',
    '/sys/class/net/eno2/operstate': 'down\n',
    '/sys/class/net/eth9/device': '-> ../../../virtio3',
  });
  it('skips lo and virtual interfaces, reads fields', () => {
    const nics = readNics(sysfs);
    expect(nics.map((n) => n.name)).toEqual(['eno2', 'ens1f0np0', 'eth9']);
    expect(nics[1]).toEqual({ name: 'ens1f0np0', device: '0000:53:00.0', pciBusId: '0000:53:00.0', speedMbps: 400000, mtu: 4200, operState: 'up', numaNode: 0 });
    expect(nics[0]).toEqual({ name: 'eno2', device: '0000:c3:00.1', pciBusId: '0000:c3:00.1', operState: 'down' });
    expect(nics[2]).toEqual({ name: 'eth9', device: 'virtio3' });
  });
  it('no /sys/class/net gives []', () => {
    expect(readNics(fakeSysfs({}))).toEqual([]);
  });
});
