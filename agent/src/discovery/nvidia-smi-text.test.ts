import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { looksLikeNvidiaSmiText, parseNvidiaSmiText } from './nvidia-smi-text.js';
import { parseNvidiaSmiXml } from './nvidia-smi-xml.js';
import type { DiscoveredGpu, DiscoveredGpuHost } from './gpu-types.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const DIR = join(HERE, 'testdata', 'nvidia-smi-text');
const XML_DIR = join(HERE, 'testdata', 'nvidia-smi-xml');
const read = (f: string): string => readFileSync(join(DIR, f), 'utf8');
const readXml = (f: string): string => readFileSync(join(XML_DIR, f), 'utf8');
const MiB = 1024 * 1024;

const H100_8X = 'gpud__nvidia-smi-query.535.183.01.out.0.valid';
const H100_8X_INVALID = 'gpud__nvidia-smi-query.535.183.01.out.0.invalid';
const RTX4090 = (n: number): string => `gpud__nvidia-smi-query.535.154.05.out.${n}.valid`;
const EXPORTER = (name: string): string => `nvidia_gpu_exporter__linux-x86_64__${name}__q.txt`;
const VALID = readdirSync(DIR)
  .filter((f) => f !== 'README.md' && !f.endsWith('.invalid'))
  .sort();

function parseOk(text: string): DiscoveredGpuHost {
  const r = parseNvidiaSmiText(text);
  if (!r.ok) throw new Error(`expected ok, got error: ${r.error}`);
  return r.host;
}

function parseErr(text: string): string {
  const r = parseNvidiaSmiText(text);
  if (r.ok) throw new Error('expected an error, got ok');
  return r.error;
}

/** Independent, regex-only extraction of what the parser should find, per "GPU <bus id>" section. */
function extract(text: string) {
  const sections = text.split(/^GPU (?=[0-9A-F]+:[0-9A-F]+:[0-9A-F]+\.[0-9A-F]+$)/m).slice(1);
  const one = (re: RegExp, s: string): string | undefined => re.exec(s)?.[1]?.trim();
  return sections.map((s) => {
    const mem = one(/^ {4}FB Memory Usage\n\s+Total\s+: (\d+) MiB$/m, s);
    const minor = one(/^\s+Minor Number\s+: (\d+)$/m, s);
    return {
      id: one(/^(\S+)/, s),
      uuid: one(/^\s+GPU UUID\s+: (\S+)$/m, s),
      minor: minor === undefined ? undefined : Number(minor),
      productName: one(/^\s+Product Name\s+: (.+)$/m, s),
      busId: one(/^\s+Bus Id\s+: (\S+)$/m, s),
      memoryTotalBytes: mem === undefined ? undefined : Number(mem) * MiB,
      migCount: (s.match(/^ {4}MIG Device$/gm) ?? []).length,
    };
  });
}

/** Paths of the defined leaves of a value, e.g. "remappedRows.pending", "migDevices.0.uuid". */
function definedPaths(v: unknown, prefix = ''): string[] {
  if (v === undefined) return [];
  if (typeof v !== 'object' || v === null) return [prefix];
  return Object.entries(v).flatMap(([k, x]) => definedPaths(x, prefix === '' ? k : `${prefix}.${k}`));
}

describe('parseNvidiaSmiText on real captures', () => {
  it('has the fixtures', () => {
    expect(VALID).toHaveLength(10);
  });

  for (const f of VALID) {
    it(`${f}: matches an independent extraction`, () => {
      const text = read(f);
      expect(looksLikeNvidiaSmiText(text)).toBe(true);
      const host = parseOk(text);
      const want = extract(text);
      expect(want.length).toBeGreaterThan(0);
      expect(host.gpus).toHaveLength(want.length);
      expect(host.attachedGpus).toBe(want.length);
      expect(host.driverVersion).toMatch(/^\d+\.\d+(\.\d+)?$/);
      host.gpus.forEach((g, i) => {
        const w = want[i]!;
        expect(g.index).toBe(i);
        expect(g.pciBusId).toBe(w.id);
        expect(g.pciBusId).toBe(w.busId);
        expect(g.uuid).toBe(w.uuid);
        expect(g.uuid).toMatch(/^GPU-[0-9a-f-]{36}$/);
        expect(g.minorNumber).toBe(w.minor);
        expect(g.productName).toBe(w.productName);
        expect(g.memoryTotalBytes).toBe(w.memoryTotalBytes);
        expect(g.memoryTotalBytes).toBeGreaterThan(0);
        expect(g.migDevices).toHaveLength(w.migCount);
        expect(g.health).toEqual({ healthy: true, reasons: [] });
      });
    });
  }

  it('8x H100 80GB HBM3, driver 535.183.01: every field read by eye from the file', () => {
    const host = parseOk(read(H100_8X));
    expect(host.driverVersion).toBe('535.183.01');
    expect(host.cudaVersion).toBe('12.2');
    expect(host.attachedGpus).toBe(8);
    expect(host.gpus.map((g) => g.pciBusId)).toEqual(
      ['53', '64', '75', '86', '97', 'A8', 'B9', 'CA'].map((b) => `00000000:${b}:00.0`),
    );
    expect(host.gpus.map((g) => g.minorNumber)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(host.gpus.map((g) => g.uuid)).toEqual([
      'GPU-566e6f65-c38e-b12f-4824-6944218668b9',
      'GPU-9930d717-21dd-7692-054e-3d0a2bae76b5',
      'GPU-973565ff-45cf-12ea-4e91-33386720f7bb',
      'GPU-6b932a61-abfd-5ea1-b26a-7dea7f2fa601',
      'GPU-726d356b-f548-bbfd-c81e-b9c68f2f1587',
      'GPU-06db64f6-6181-5a90-cf95-5ce52a58c4e5',
      'GPU-a5271aa6-4cdb-28c7-0ef5-5da271d0caae',
      'GPU-7e78e6c8-c71c-66c7-9ded-f8836cecab32',
    ]);
    const expected: DiscoveredGpu = {
      index: 0,
      minorNumber: 0,
      uuid: 'GPU-566e6f65-c38e-b12f-4824-6944218668b9',
      productName: 'NVIDIA H100 80GB HBM3',
      productBrand: 'NVIDIA',
      architecture: 'Hopper',
      memoryTotalBytes: 81559 * MiB,
      pciBusId: '00000000:53:00.0',
      migMode: { current: false, pending: false },
      migDevices: [],
      persistenceMode: true,
      powerLimitWatts: 700,
      eccMode: { current: true, pending: true },
      eccErrors: { volatileCorrectable: 0, volatileUncorrectable: 0, aggregateCorrectable: 0, aggregateUncorrectable: 0 },
      retiredPages: { singleBitCount: undefined, doubleBitCount: undefined, pending: undefined }, // all N/A on Hopper
      remappedRows: { correctable: 0, uncorrectable: 0, pending: false, failure: false },
      health: { healthy: true, reasons: [] },
    };
    expect(host.gpus[0]).toEqual(expected);
    // The other seven differ only in index, minor number, UUID and bus id.
    host.gpus.forEach((g, i) => {
      expect(g).toEqual({ ...expected, index: i, minorNumber: i, uuid: g.uuid, pciBusId: g.pciBusId });
    });
  });

  it('8x H100: counters that are all 0 in the capture are really read (mutated copy)', () => {
    const text = read(H100_8X);
    // First occurrences are in GPU 0's Volatile block and Remapped Rows block.
    const mutated = text
      .replace(/(SRAM Uncorrectable SEC-DED\s+: )0/, '$13')
      .replace(/(Remapped Rows\n(?:.*\n){2}\s+Pending\s+: )No/, '$1Yes')
      .replace(/(Remapping Failure Occurred\s+: )No/, '$1Yes');
    const g = parseOk(mutated).gpus[0]!;
    expect(g.eccErrors.volatileUncorrectable).toBe(3);
    expect(g.eccErrors.aggregateUncorrectable).toBe(0);
    expect(g.remappedRows).toEqual({ correctable: 0, uncorrectable: 0, pending: true, failure: true });
    expect(g.health.healthy).toBe(false);
    expect(g.health.reasons).toEqual([
      '3 uncorrectable volatile ECC error(s)',
      'row remapping pending (GPU reset required)',
      'row remapping failure',
    ]);
    expect(parseOk(mutated).gpus.slice(1).every((x) => x.health.healthy)).toBe(true);
  });

  it('8x RTX 4090, driver 535.154.05: minor numbers do not follow bus order; ECC off, counters N/A', () => {
    const host = parseOk(read(RTX4090(0)));
    expect(host.driverVersion).toBe('535.154.05');
    expect(host.cudaVersion).toBe('12.2');
    expect(host.gpus.map((g) => [g.pciBusId, g.minorNumber, g.uuid])).toEqual([
      ['00000000:01:00.0', 3, 'GPU-313bbff0-b0a0-fd26-4820-0578bdef3a12'],
      ['00000000:23:00.0', 2, 'GPU-1a287db8-89a4-4cd7-5933-ae53d0c4d4ad'],
      ['00000000:41:00.0', 1, 'GPU-a4f36154-6f3f-303f-e098-dec1632fd43f'],
      ['00000000:61:00.0', 0, 'GPU-025f6884-1162-3032-9aab-14e0d5622783'],
      ['00000000:81:00.0', 7, 'GPU-751d1667-9d35-b4ef-90cf-a7bdff6aa964'],
      ['00000000:A1:00.0', 6, 'GPU-63cdf48e-0e17-dc82-873d-e0af7f380d0b'],
      ['00000000:C1:00.0', 5, 'GPU-52688fe6-e746-6dec-48ea-96cd464a0db1'],
      ['00000000:E1:00.0', 4, 'GPU-94f6cd0f-cb66-91a9-a3b0-7253e9f9a0ba'],
    ]);
    for (const g of host.gpus) {
      expect(g.productName).toBe('NVIDIA GeForce RTX 4090');
      expect(g.productBrand).toBe('GeForce');
      expect(g.architecture).toBe('Ada Lovelace');
      expect(g.memoryTotalBytes).toBe(24564 * MiB);
      expect(g.powerLimitWatts).toBe(450);
      expect(g.persistenceMode).toBe(true);
      expect(g.migMode).toEqual({ current: undefined, pending: undefined });
      expect(g.eccMode).toEqual({ current: false, pending: false });
      expect(definedPaths(g.eccErrors)).toEqual([]);
      expect(g.remappedRows).toEqual({ correctable: 0, uncorrectable: 0, pending: false, failure: false });
    }
  });

  it('RTX 4090 variants: leading blank lines (.2) and process lists do not matter; .3 is another machine', () => {
    const base = parseOk(read(RTX4090(0)));
    const strip = (h: DiscoveredGpuHost) => h.gpus.map((g) => ({ ...g, uuid: undefined, minorNumber: undefined }));
    for (const n of [1, 2]) {
      const h = parseOk(read(RTX4090(n)));
      expect(h.gpus[0]!.uuid).toBe('GPU-370465f5-30e0-6877-b85c-16729f41b90f');
      expect(strip(h)).toEqual(strip(base));
    }
    const h3 = parseOk(read(RTX4090(3)));
    expect(h3.gpus.map((g) => g.pciBusId)[1]).toBe('00000000:21:00.0');
    expect(h3.gpus.map((g) => g.minorNumber)).toEqual([2, 3, 1, 0, 6, 7, 5, 4]);
  });

  it('H100 with MIG enabled (590.48.01): four MIG devices, remapped rows N/A', () => {
    const host = parseOk(read(EXPORTER('nvidia-h100-mig__590.48.01')));
    expect(host).toMatchObject({ driverVersion: '590.48.01', cudaVersion: '13.1', attachedGpus: 1 });
    const g = host.gpus[0]!;
    expect(g).toMatchObject({
      productName: 'NVIDIA H100 80GB HBM3',
      pciBusId: '00000000:00:09.0',
      memoryTotalBytes: 81559 * MiB,
      migMode: { current: true, pending: true },
      powerLimitWatts: 700,
      eccMode: { current: true, pending: true },
    });
    // The text report prints no MIG UUID and no profile name (nor does the v12 XML).
    expect(g.migDevices).toEqual([
      { index: 0, gpuInstanceId: 2, computeInstanceId: 0, memoryTotalBytes: 40448 * MiB, multiprocessorCount: 60, profile: undefined, uuid: undefined },
      { index: 1, gpuInstanceId: 3, computeInstanceId: 0, memoryTotalBytes: 20096 * MiB, multiprocessorCount: 32, profile: undefined, uuid: undefined },
      { index: 2, gpuInstanceId: 9, computeInstanceId: 0, memoryTotalBytes: 9984 * MiB, multiprocessorCount: 16, profile: undefined, uuid: undefined },
      { index: 3, gpuInstanceId: 10, computeInstanceId: 0, memoryTotalBytes: 9984 * MiB, multiprocessorCount: 16, profile: undefined, uuid: undefined },
    ]);
    expect(definedPaths(g.remappedRows)).toEqual([]); // "Remapped Rows : N/A" while MIG is on
    expect(g.health.healthy).toBe(true);
  });

  it('H200 with MIG enabled: two compute instances share GPU instance 2 and report its shared memory', () => {
    const g = parseOk(read(EXPORTER('nvidia-h200-mig__590.48.01'))).gpus[0]!;
    expect(g.productName).toBe('NVIDIA H200');
    expect(g.memoryTotalBytes).toBe(143771 * MiB);
    expect(g.migDevices.map((m) => [m.index, m.gpuInstanceId, m.computeInstanceId, m.multiprocessorCount, m.memoryTotalBytes! / MiB])).toEqual([
      [0, 2, 0, 16, 71424],
      [1, 2, 1, 32, 71424],
      [2, 3, 0, 32, 33280],
      [3, 9, 0, 16, 16384],
      [4, 10, 0, 16, 16384],
    ]);
  });

  it('H100 (MIG off, 590.48.01) and L40S (595.80)', () => {
    const h100 = parseOk(read(EXPORTER('nvidia-h100-80gb-hbm3__590.48.01'))).gpus[0]!;
    expect(h100).toMatchObject({
      productName: 'NVIDIA H100 80GB HBM3',
      pciBusId: '00000000:00:09.0',
      migMode: { current: false, pending: false },
      migDevices: [],
      remappedRows: { correctable: 0, uncorrectable: 0, pending: false, failure: false },
    });
    const host = parseOk(read(EXPORTER('nvidia-l40s__595.80')));
    expect(host).toMatchObject({ driverVersion: '595.80', cudaVersion: '13.2', attachedGpus: 1 });
    expect(host.gpus[0]).toMatchObject({
      productName: 'NVIDIA L40S',
      productBrand: 'NVIDIA',
      architecture: 'Ada Lovelace',
      memoryTotalBytes: 46068 * MiB,
      pciBusId: '00000000:01:00.0',
      persistenceMode: false,
      powerLimitWatts: 350,
      migMode: { current: undefined, pending: undefined },
      eccMode: { current: true, pending: true },
      eccErrors: { volatileCorrectable: 0, volatileUncorrectable: 0, aggregateCorrectable: 0, aggregateUncorrectable: 0 },
      remappedRows: { correctable: 0, uncorrectable: 0, pending: false, failure: false },
    });
  });

  it('RTX 2080 SUPER, driver 610.57.04: "[Deprecated; …]" notes dropped, ceiling power limit read', () => {
    const host = parseOk(read(EXPORTER('nvidia-geforce-rtx-2080-super__610.57.04')));
    expect(host.driverVersion).toBe('610.57.04');
    expect(host.cudaVersion).toBe('13.3');
    expect(host.gpus[0]).toMatchObject({
      productName: 'NVIDIA GeForce RTX 2080 SUPER',
      productBrand: 'GeForce',
      architecture: 'Turing',
      memoryTotalBytes: 8192 * MiB,
      pciBusId: '00000000:0C:00.0',
      persistenceMode: false,
      powerLimitWatts: 250, // GPU Power Readings / GPU Ceiling Power Limit / Current Power Limit
    });
    expect(definedPaths(host.gpus[0]!.eccMode)).toEqual([]);
    expect(definedPaths(host.gpus[0]!.remappedRows)).toEqual([]);
    // Once "Driver Version"/"CUDA Version" are gone, the KMD/UMD lines stand in.
    const future = read(EXPORTER('nvidia-geforce-rtx-2080-super__610.57.04')).replace(/^(Driver|CUDA) Version .*\n/gm, '');
    expect(parseOk(future)).toMatchObject({ driverVersion: '610.57.04', cudaVersion: '13.3' });
  });
});

describe('the gpud ".invalid" capture', () => {
  const text = read(H100_8X_INVALID);

  it('is the valid capture cut inside GPU 0 with three keys renamed; it is rejected as truncated', () => {
    const valid = read(H100_8X).split('\n').slice(0, 91);
    const lines = text.split('\n');
    expect(lines.slice(0, 91).filter((l, i) => l !== valid[i])).toEqual([
      '        Invalid HW Slowdown                       : Not Active',
      '            Invalid HW Thermal Slowdown           : Not Active',
      '            Invalid HW Power Brake Slowdown       : Not Active',
    ]);
    expect(looksLikeNvidiaSmiText(text)).toBe(true);
    expect(parseErr(text)).toBe(
      'nvidia-smi text: truncated output: GPU section "GPU 00000000:53:00.0" at line 8 has no "Processes" entry (every complete GPU section has one)',
    );
  });

  it('the renamed, misaligned keys alone are harmless: with the section completed it parses', () => {
    const host = parseOk(`${text}    Processes                             : None\n`);
    expect(host.attachedGpus).toBe(8);
    expect(host.gpus).toHaveLength(1);
    expect(host.gpus[0]).toMatchObject({ uuid: 'GPU-566e6f65-c38e-b12f-4824-6944218668b9', pciBusId: '00000000:53:00.0' });
    expect(host.gpus[0]!.memoryTotalBytes).toBeUndefined(); // not in the cut; never guessed
  });
});

describe('cross-check with the XML reader', () => {
  it('text H100-MIG (590) and XML A100-MIG (v12) yield the same set of fields', () => {
    const text = parseOk(read(EXPORTER('nvidia-h100-mig__590.48.01'))).gpus[0]!;
    const xml = parseNvidiaSmiXml(readXml('telegraf__a100-sxm4-v12.xml'));
    if (!xml.ok) throw new Error(xml.error);
    expect(definedPaths(text)).toEqual(definedPaths(xml.host.gpus[0]!));
  });

  it('text RTX 2080 SUPER (610) and XML RTX 3090 (v13) yield the same set of fields', () => {
    const text = parseOk(read(EXPORTER('nvidia-geforce-rtx-2080-super__610.57.04'))).gpus[0]!;
    const xml = parseNvidiaSmiXml(readXml('telegraf__3090-v13.xml'));
    if (!xml.ok) throw new Error(xml.error);
    expect(definedPaths(text)).toEqual(definedPaths(xml.host.gpus[0]!));
  });

  // A hand-made pair in the driver-418 shapes (Single/Double Bit totals, "Ecc Mode",
  // bare retired-pages "Pending", "Power Readings"); the numbers are invented.
  it('the legacy (418-style) shapes map to the same result as the equivalent XML', () => {
    const text = `
==============NVSMI LOG==============

Timestamp                           : Wed Oct 30 09:52:39 2019
Driver Version                      : 418.67
CUDA Version                        : 10.1

Attached GPUs                       : 1
GPU 00000004:04:00.0
    Product Name                    : Tesla V100-SXM2-32GB
    Product Brand                   : Tesla
    Persistence Mode                : Enabled
    GPU UUID                        : GPU-00000000-1111-2222-3333-444444444444
    Minor Number                    : 0
    PCI
        Bus Id                      : 00000004:04:00.0
    FB Memory Usage
        Total                       : 32480 MiB
    Ecc Mode
        Current                     : Enabled
        Pending                     : Enabled
    ECC Errors
        Volatile
            Single Bit            
                Device Memory       : 2
                Total               : 2
            Double Bit            
                Device Memory       : 1
                Total               : 1
        Aggregate
            Single Bit            
                Total               : 5
            Double Bit            
                Total               : 1
    Retired Pages
        Single Bit ECC              : 2
        Double Bit ECC              : 1
        Pending                     : Yes
    Power Readings
        Power Draw                  : 39.78 W
        Power Limit                 : 300.00 W
    Processes                       : None
`;
    const xml = `<?xml version="1.0" ?>
<nvidia_smi_log>
  <driver_version>418.67</driver_version><cuda_version>10.1</cuda_version><attached_gpus>1</attached_gpus>
  <gpu id="00000004:04:00.0">
    <product_name>Tesla V100-SXM2-32GB</product_name><product_brand>Tesla</product_brand>
    <persistence_mode>Enabled</persistence_mode><uuid>GPU-00000000-1111-2222-3333-444444444444</uuid>
    <minor_number>0</minor_number><pci><pci_bus_id>00000004:04:00.0</pci_bus_id></pci>
    <fb_memory_usage><total>32480 MiB</total></fb_memory_usage>
    <ecc_mode><current_ecc>Enabled</current_ecc><pending_ecc>Enabled</pending_ecc></ecc_mode>
    <ecc_errors>
      <volatile><single_bit><total>2</total></single_bit><double_bit><total>1</total></double_bit></volatile>
      <aggregate><single_bit><total>5</total></single_bit><double_bit><total>1</total></double_bit></aggregate>
    </ecc_errors>
    <retired_pages>
      <multiple_single_bit_retirement><retired_count>2</retired_count></multiple_single_bit_retirement>
      <double_bit_retirement><retired_count>1</retired_count></double_bit_retirement>
      <pending_retirement>Yes</pending_retirement>
    </retired_pages>
    <power_readings><power_draw>39.78 W</power_draw><power_limit>300.00 W</power_limit></power_readings>
    <processes></processes>
  </gpu>
</nvidia_smi_log>`;
    const fromXml = parseNvidiaSmiXml(xml);
    if (!fromXml.ok) throw new Error(fromXml.error);
    const fromText = parseOk(text);
    expect(fromText).toEqual(fromXml.host);
    expect(fromText.gpus[0]).toMatchObject({
      eccErrors: { volatileCorrectable: 2, volatileUncorrectable: 1, aggregateCorrectable: 5, aggregateUncorrectable: 1 },
      retiredPages: { singleBitCount: 2, doubleBitCount: 1, pending: true },
      powerLimitWatts: 300,
      health: { healthy: false },
    });
  });
});

describe('parseNvidiaSmiText on bad input', () => {
  const h100 = read(H100_8X);

  it.each([
    ['empty', '', /^nvidia-smi text: empty output$/],
    ['whitespace', ' \n\t\r\n  ', /^nvidia-smi text: empty output$/],
    ['XML report', readXml('telegraf__a10g.xml'), /^nvidia-smi text: not an nvidia-smi -q report/],
    [
      'driver not loaded',
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n",
      /^nvidia-smi text: not an nvidia-smi -q report .*: "NVIDIA-SMI has failed because it couldn't communicate/,
    ],
    ['banner only', '==============NVSMI LOG==============\n\n', /truncated output: no "Attached GPUs" line and no GPU section$/],
    ['cut before the first GPU', h100.split('\n').slice(0, 7).join('\n'), /truncated output: "Attached GPUs : 8" but no GPU section$/],
    ['cut after a GPU header', h100.split('\n').slice(0, 8).join('\n'), /GPU section "GPU 00000000:53:00.0" at line 8 has no fields$/],
    ['cut in half', h100.slice(0, Math.floor(h100.length / 2)), /truncated output: GPU section "GPU 00000000:86:00.0" at line 629 has no "Processes"/],
  ])('%s', (_name, input, re) => {
    expect(parseErr(input)).toMatch(re);
  });

  it('XML is never taken for text', () => {
    for (const f of readdirSync(XML_DIR).filter((x) => x.endsWith('.xml'))) expect(looksLikeNvidiaSmiText(readXml(f))).toBe(false);
    expect(looksLikeNvidiaSmiText('')).toBe(false);
    expect(looksLikeNvidiaSmiText('Driver Version: 550 (table, no padding before the colon)')).toBe(false);
    expect(looksLikeNvidiaSmiText('Driver Version                      : 418.67')).toBe(true);
  });

  it('never reports a partial GPU: every line-prefix is an error or GPUs identical to the full parse', () => {
    const lines = h100.split('\n');
    const full = parseOk(h100).gpus;
    let oks = 0;
    // Every cut through the first three sections, then every 7th line.
    for (let n = 0; n <= lines.length; n += n < 640 ? 1 : 7) {
      const r = parseNvidiaSmiText(lines.slice(0, n).join('\n'));
      if (!r.ok) continue;
      oks++;
      expect(r.host.gpus).toEqual(full.slice(0, r.host.gpus.length));
    }
    // A cut just after a section's "Processes" line cannot be told from `nvidia-smi -q -i …`.
    expect(oks).toBeGreaterThanOrEqual(3);
  });

  it('one GPU section of eight (as from `nvidia-smi -q -i 0`) is ok; attachedGpus tells the caller', () => {
    const host = parseOk(h100.split('\n').slice(0, 212).join('\n'));
    expect(host.attachedGpus).toBe(8);
    expect(host.gpus).toHaveLength(1);
  });

  it('CRLF line ends, tabs and a uniformly indented (pasted) report give the same result', () => {
    const want = parseOk(h100);
    expect(parseOk(h100.replace(/\n/g, '\r\n'))).toEqual(want);
    expect(parseOk(h100.replace(/^/gm, '    '))).toEqual(want);
    expect(parseOk(h100.replace(/^ {4}/gm, '\t'))).toEqual(want);
  });

  it('garbage, binary-ish text, a huge line and deep nesting do not throw', () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const binary = Array.from({ length: 20000 }, () => String.fromCharCode(rnd() % 256)).join('');
    const inputs = [
      binary,
      `==============NVSMI LOG==============\n${binary}`,
      'x'.repeat(3_000_000),
      `==============NVSMI LOG==============\nDriver Version : ${' : '.repeat(500_000)}\n`,
      `==============NVSMI LOG==============\n${Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i)}Level ${i}`).join('\n')}`,
      h100.replace('NVIDIA H100 80GB HBM3', 'A'.repeat(2_000_000)),
    ];
    for (const input of inputs) expect(() => parseNvidiaSmiText(input)).not.toThrow();
    expect(parseNvidiaSmiText(binary).ok).toBe(false);
    expect(parseOk(inputs[5]!).gpus[0]!.productName).toHaveLength(2_000_000);
    expect(parseNvidiaSmiText(undefined as unknown as string).ok).toBe(false);
    expect(parseNvidiaSmiText(42 as unknown as string).ok).toBe(false);
    expect(looksLikeNvidiaSmiText(null as unknown as string)).toBe(false);
  });

  it('keys such as "__proto__" and "constructor" do not reach any prototype', () => {
    const text = h100
      .split('\n')
      .slice(0, 212)
      .join('\n')
      .replace('    Product Brand', '    __proto__                             : polluted\n    Constructor\n        Polluted : yes\n    Product Brand');
    const host = parseOk(`Constructor : x\nTo String : y\n${text}`);
    expect(host.gpus[0]!.productBrand).toBe('NVIDIA');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});
