import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiXml } from './nvidia-smi-xml.js';
import type { DiscoveredGpuHost } from './gpu-types.js';

const DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'testdata', 'nvidia-smi-xml');
const FIXTURES = readdirSync(DIR)
  .filter((f) => f.endsWith('.xml'))
  .sort();
const read = (f: string): string => readFileSync(join(DIR, f), 'utf8');
const MiB = 1024 * 1024;

function parseOk(xml: string): DiscoveredGpuHost {
  const r = parseNvidiaSmiXml(xml);
  if (!r.ok) throw new Error(`expected ok, got error: ${r.error}`);
  return r.host;
}

/** Independent, regex-only extraction of what the parser should find, per <gpu> element. */
function extract(xml: string) {
  const chunks = xml.split(/<gpu id="/).slice(1);
  const one = (re: RegExp, s: string): string | undefined => re.exec(s)?.[1]?.trim();
  return chunks.map((c) => {
    const top = c.replace(/<mig_devices>[\s\S]*?<\/mig_devices>/, '');
    const mem = one(/<fb_memory_usage>\s*<total>([^<]*)<\/total>/, top);
    const memMiB = mem !== undefined ? /^(\d+) MiB$/.exec(mem)?.[1] : undefined;
    const minor = one(/<minor_number>([^<]*)</, top);
    return {
      uuid: one(/<uuid>([^<]*)</, top),
      minor: minor !== undefined && /^\d+$/.test(minor) ? Number(minor) : undefined,
      productName: one(/<product_name>([^<]*)</, top),
      memoryTotalBytes: memMiB !== undefined ? Number(memMiB) * MiB : undefined,
      busId: one(/<pci_bus_id>([^<]*)</, top),
      migCount: (c.match(/<mig_device>/g) ?? []).length,
    };
  });
}

describe('parseNvidiaSmiXml on real captures', () => {
  it('has the fixtures', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(14);
  });

  for (const f of FIXTURES) {
    it(`${f}: matches an independent extraction`, () => {
      const xml = read(f);
      const host = parseOk(xml);
      const want = extract(xml);
      expect(want.length).toBeGreaterThan(0);
      expect(host.gpus).toHaveLength(want.length);
      expect(host.driverVersion).toBe(/<driver_version>([^<]*)</.exec(xml)?.[1]);
      host.gpus.forEach((g, i) => {
        const w = want[i]!;
        expect(g.index).toBe(i);
        expect(g.uuid).toBe(w.uuid);
        expect(g.uuid).toMatch(/^GPU-[0-9a-f-]+$/);
        expect(g.minorNumber).toBe(w.minor);
        expect(g.productName).toBe(w.productName);
        expect(g.memoryTotalBytes).toBe(w.memoryTotalBytes);
        expect(g.memoryTotalBytes).toBeGreaterThan(0);
        expect(g.pciBusId).toBe(w.busId);
        expect(g.migDevices).toHaveLength(w.migCount);
        // None of the captures shows a sick GPU.
        expect(g.health).toEqual({ healthy: true, reasons: [] });
      });
    });
  }

  it('8×V100S server (v11, driver 460.73.01): all 8 GPUs, hand-checked', () => {
    const host = parseOk(read('datakit__gtx-8card_8x-tesla-v100s.xml'));
    expect(host.driverVersion).toBe('460.73.01');
    expect(host.cudaVersion).toBe('11.2');
    expect(host.attachedGpus).toBe(8);
    expect(host.gpus.map((g) => g.uuid)).toEqual([
      'GPU-76098dc1-d3bc-9a1b-7ea6-f7b48837829e',
      'GPU-bbf7a241-bf9a-eb90-b2fb-d213294faf48',
      'GPU-8f75e71c-23dd-a060-d997-4caf592954db',
      'GPU-3181eb56-505c-8214-ba05-c132f68f89b8',
      'GPU-2aa87d54-d4ff-2900-812b-1a4b7e119583',
      'GPU-39c3a168-9034-0b5a-223a-1042f30a9242',
      'GPU-d2446f91-171e-1b54-515d-9d9b03484ddf',
      'GPU-1d955959-c95b-4f40-2cac-100d3006ffe2',
    ]);
    expect(host.gpus.map((g) => g.minorNumber)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(host.gpus.map((g) => g.pciBusId)).toEqual([
      '00000000:00:0D.0', '00000000:00:0E.0', '00000000:00:0F.0', '00000000:00:10.0',
      '00000000:00:11.0', '00000000:00:12.0', '00000000:00:13.0', '00000000:00:14.0',
    ]);
    const g0 = host.gpus[0]!;
    expect(g0.productName).toBe('Tesla V100S-PCIE-32GB');
    expect(g0.memoryTotalBytes).toBe(32510 * MiB);
    expect(g0.powerLimitWatts).toBe(250);
    expect(g0.persistenceMode).toBe(false);
    expect(g0.eccMode.current).toBe(true);
    expect(g0.eccErrors.volatileUncorrectable).toBe(0);
    expect(g0.eccErrors.aggregateUncorrectable).toBe(0);
    expect(g0.retiredPages.pending).toBe(false);
    expect(g0.remappedRows).toEqual({});
    expect(g0.migMode).toEqual({ current: undefined, pending: undefined });
    expect(g0.migDevices).toEqual([]);
  });

  it('A100 SXM4 80GB with MIG (v12, driver 535.54.03): MIG devices, hand-checked', () => {
    const host = parseOk(read('telegraf__a100-sxm4-v12.xml'));
    expect(host.driverVersion).toBe('535.54.03');
    expect(host.cudaVersion).toBe('12.2');
    expect(host.attachedGpus).toBe(4); // trimmed upstream to one <gpu>
    expect(host.gpus).toHaveLength(1);
    const g = host.gpus[0]!;
    expect(g.productName).toBe('NVIDIA A100-SXM4-80GB');
    expect(g.architecture).toBe('Ampere');
    expect(g.uuid).toBe('GPU-513536b6-7d19-9063-b049-1e69664bb298');
    expect(g.minorNumber).toBe(1);
    expect(g.pciBusId).toBe('00000000:01:00.0');
    expect(g.memoryTotalBytes).toBe(81920 * MiB);
    expect(g.migMode).toEqual({ current: true, pending: true });
    expect(g.powerLimitWatts).toBe(500);
    expect(g.eccMode).toEqual({ current: true, pending: true });
    expect(g.eccErrors).toEqual({ volatileCorrectable: 0, volatileUncorrectable: 0, aggregateCorrectable: 0, aggregateUncorrectable: 0 });
    expect(g.retiredPages).toEqual({ singleBitCount: undefined, doubleBitCount: undefined, pending: undefined });
    expect(g.migDevices).toEqual([3, 4, 5, 6].map((gi, i) => ({
      index: i,
      gpuInstanceId: gi,
      computeInstanceId: 0,
      profile: undefined, // v12 does not report the profile name
      memoryTotalBytes: 19968 * MiB,
      uuid: undefined, // v12 does not report MIG UUIDs in -q -x
      multiprocessorCount: 14,
    })));
  });

  it('dual RTX A5000 (v13, driver 590.44.01): remapped rows, power, ECC off', () => {
    const host = parseOk(read('telegraf__dual_a5000-v13.xml'));
    expect(host.gpus.map((g) => [g.uuid, g.minorNumber])).toEqual([
      ['GPU-12345678-aaaa-bbbb-cccc-0123456789ab', 1],
      ['GPU-12345678-aaaa-bbbb-cccc-0123456789cd', 0],
    ]);
    for (const g of host.gpus) {
      expect(g.productName).toBe('NVIDIA RTX A5000');
      expect(g.architecture).toBe('Ampere');
      expect(g.memoryTotalBytes).toBe(24564 * MiB);
      expect(g.persistenceMode).toBe(true);
      expect(g.powerLimitWatts).toBe(230);
      expect(g.eccMode.current).toBe(false);
      expect(g.eccErrors.volatileUncorrectable).toBeUndefined(); // all N/A
      expect(g.remappedRows).toEqual({ correctable: 0, uncorrectable: 0, pending: false, failure: false });
    }
  });

  it('GTX 1660 Ti (driver 418, no DOCTYPE, no remapped_rows): old fields tolerated', () => {
    const host = parseOk(read('telegraf__gtx-1660-ti.xml'));
    expect(host.driverVersion).toBe('418.43');
    expect(host.cudaVersion).toBe('10.1');
    const g = host.gpus[0]!;
    expect(g.productName).toBe('Graphics Device');
    expect(g.uuid).toBe('GPU-304a277d-3545-63b8-3a36-dfde3c992989');
    expect(g.architecture).toBeUndefined();
    expect(g.powerLimitWatts).toBe(130);
    expect(g.remappedRows).toEqual({ correctable: undefined, uncorrectable: undefined, pending: undefined, failure: undefined });
  });
});

describe('parseNvidiaSmiXml on bad input', () => {
  const full = read('datakit__gtx-8card_8x-tesla-v100s.xml');
  const cases: [string, string, RegExp][] = [
    ['empty', '', /empty/],
    ['whitespace', '  \n\t', /empty/],
    ['non-XML text', 'NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver.', /malformed/],
    ['truncated in half', full.slice(0, Math.floor(full.length / 2)), /malformed or truncated/],
    ['unclosed root', '<?xml version="1.0"?><nvidia_smi_log><driver_version>1</driver_version>', /malformed or truncated/],
    ['mismatched tags', '<nvidia_smi_log><gpu></nvidia_smi_log></gpu>', /malformed/],
    ['wrong root', '<?xml version="1.0"?><something><gpu/></something>', /no <nvidia_smi_log>/],
  ];
  for (const [name, input, re] of cases) {
    it(`${name} → ok:false with a clear error`, () => {
      const r = parseNvidiaSmiXml(input);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error).toMatch(/^nvidia-smi XML: /);
        expect(r.error).toMatch(re);
      }
    });
  }

  it('non-string input does not throw', () => {
    expect(parseNvidiaSmiXml(undefined as unknown as string).ok).toBe(false);
    expect(parseNvidiaSmiXml(42 as unknown as string).ok).toBe(false);
  });

  it('a root with no GPUs is ok with zero GPUs', () => {
    const r = parseNvidiaSmiXml('<nvidia_smi_log><driver_version>550.54.15</driver_version><attached_gpus>0</attached_gpus></nvidia_smi_log>');
    expect(r).toEqual({ ok: true, host: { driverVersion: '550.54.15', cudaVersion: undefined, attachedGpus: 0, gpus: [] } });
  });

  it('element names such as __proto__ do not pollute objects', () => {
    const r = parseNvidiaSmiXml('<nvidia_smi_log><__proto__><polluted>yes</polluted></__proto__><gpu id="0"><constructor>x</constructor></gpu></nvidia_smi_log>');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    if (r.ok) expect(r.host.gpus.length).toBeLessThanOrEqual(1);
  });
});

describe('parseNvidiaSmiXml health', () => {
  const gpu = (body: string, id = '00000000:01:00.0') => `<gpu id="${id}"><uuid>GPU-aaaa</uuid><minor_number>0</minor_number>${body}</gpu>`;
  const log = (...gpus: string[]) => `<?xml version="1.0" ?><nvidia_smi_log><driver_version>550.1</driver_version>${gpus.join('')}</nvidia_smi_log>`;
  const one = (body: string) => parseOk(log(gpu(body))).gpus[0]!;

  it('pending page retirement → unhealthy', () => {
    const g = one('<retired_pages><multiple_single_bit_retirement><retired_count>2</retired_count></multiple_single_bit_retirement><double_bit_retirement><retired_count>1</retired_count></double_bit_retirement><pending_blacklist>No</pending_blacklist><pending_retirement>Yes</pending_retirement></retired_pages>');
    expect(g.retiredPages).toEqual({ singleBitCount: 2, doubleBitCount: 1, pending: true });
    expect(g.health.healthy).toBe(false);
    expect(g.health.reasons.join()).toMatch(/retirement pending/);
  });

  it('pending row remap and remap failure → unhealthy, both reasons', () => {
    const g = one('<remapped_rows><remapped_row_corr>0</remapped_row_corr><remapped_row_unc>3</remapped_row_unc><remapped_row_pending>Yes</remapped_row_pending><remapped_row_failure>Yes</remapped_row_failure></remapped_rows>');
    expect(g.remappedRows).toEqual({ correctable: 0, uncorrectable: 3, pending: true, failure: true });
    expect(g.health.healthy).toBe(false);
    expect(g.health.reasons).toHaveLength(2);
    expect(g.health.reasons.join()).toMatch(/remapping pending/);
    expect(g.health.reasons.join()).toMatch(/remapping failure/);
  });

  it('uncorrectable volatile ECC (v11 double_bit/total) → unhealthy', () => {
    const g = one('<ecc_errors><volatile><single_bit><total>5</total></single_bit><double_bit><total>2</total></double_bit></volatile><aggregate><single_bit><total>9</total></single_bit><double_bit><total>4</total></double_bit></aggregate></ecc_errors>');
    expect(g.eccErrors).toEqual({ volatileCorrectable: 5, volatileUncorrectable: 2, aggregateCorrectable: 9, aggregateUncorrectable: 4 });
    expect(g.health).toEqual({ healthy: false, reasons: ['2 uncorrectable volatile ECC error(s)'] });
  });

  it('uncorrectable volatile ECC (v13 sram parity/secded + dram) → unhealthy', () => {
    const g = one('<ecc_errors><volatile><sram_correctable>0</sram_correctable><sram_uncorrectable_parity>1</sram_uncorrectable_parity><sram_uncorrectable_secded>N/A</sram_uncorrectable_secded><dram_correctable>N/A</dram_correctable><dram_uncorrectable>2</dram_uncorrectable></volatile></ecc_errors>');
    expect(g.eccErrors.volatileUncorrectable).toBe(3);
    expect(g.eccErrors.aggregateUncorrectable).toBeUndefined();
    expect(g.health.healthy).toBe(false);
  });

  it('aggregate-only uncorrectable ECC does not by itself mark the GPU unhealthy', () => {
    const g = one('<ecc_errors><volatile><dram_uncorrectable>0</dram_uncorrectable></volatile><aggregate><dram_uncorrectable>7</dram_uncorrectable></aggregate></ecc_errors>');
    expect(g.eccErrors.aggregateUncorrectable).toBe(7);
    expect(g.health.healthy).toBe(true);
  });

  it('"GPU is lost" / "Unknown Error" in key fields → unhealthy, value read as absent', () => {
    const host = parseOk(log(
      gpu('<product_name>Unknown Error</product_name><fb_memory_usage><total>Unknown Error</total></fb_memory_usage>'),
      `<gpu id="00000000:02:00.0"><uuid>GPU is lost</uuid><pci><pci_bus_id>00000000:02:00.0</pci_bus_id></pci></gpu>`,
      gpu('<product_name>NVIDIA H100 80GB HBM3</product_name>', '00000000:03:00.0'),
    ));
    const [a, b, c] = host.gpus;
    expect(a!.productName).toBeUndefined();
    expect(a!.memoryTotalBytes).toBeUndefined();
    expect(a!.health.healthy).toBe(false);
    expect(a!.health.reasons).toEqual([
      'GPU reports an error state (product_name: Unknown Error)',
      'GPU reports an error state (fb_memory_usage/total: Unknown Error)',
    ]);
    expect(b!.uuid).toBeUndefined();
    expect(b!.pciBusId).toBe('00000000:02:00.0');
    expect(b!.health).toEqual({ healthy: false, reasons: ['GPU reports an error state (uuid: GPU is lost)'] });
    expect(c!.health).toEqual({ healthy: true, reasons: [] });
    expect(c!.pciBusId).toBe('00000000:03:00.0'); // from the id attribute when <pci> is missing
  });

  it('"N/A", "[N/A]" and "Not Supported" read as absent', () => {
    const g = one('<product_name>[N/A]</product_name><product_architecture>Not Supported</product_architecture><persistence_mode>N/A</persistence_mode><power_readings><power_limit>N/A</power_limit><enforced_power_limit>[Not Supported]</enforced_power_limit></power_readings>');
    expect(g.productName).toBeUndefined();
    expect(g.architecture).toBeUndefined();
    expect(g.persistenceMode).toBeUndefined();
    expect(g.powerLimitWatts).toBeUndefined();
    expect(g.health.healthy).toBe(true);
  });

  it('MIG devices with profile name and UUID are read when the schema has them', () => {
    const g = one('<mig_mode><current_mig>Enabled</current_mig><pending_mig>Disabled</pending_mig></mig_mode><mig_devices><mig_device><index>0</index><gpu_instance_id>1</gpu_instance_id><compute_instance_id>0</compute_instance_id><profile_name>1g.10gb</profile_name><uuid>MIG-11111111-2222-3333-4444-555555555555</uuid><fb_memory_usage><total>9984 MiB</total></fb_memory_usage></mig_device></mig_devices>');
    expect(g.migMode).toEqual({ current: true, pending: false });
    expect(g.migDevices).toEqual([{
      index: 0, gpuInstanceId: 1, computeInstanceId: 0, profile: '1g.10gb',
      uuid: 'MIG-11111111-2222-3333-4444-555555555555', memoryTotalBytes: 9984 * MiB, multiprocessorCount: undefined,
    }]);
  });
});
