/** `nvidia-smi -L` on a real capture (an H100 in MIG mode) and on damaged input. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiList } from './nvidia-smi-list.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const capture = readFileSync(path.join(repo, 'deploy/hardware/captures/nvidia_gpu_exporter__h100-mig__590.48.01__nvidia-smi-L.txt'), 'utf8');

describe('parseNvidiaSmiList', () => {
  it('reads the GPU and its MIG devices with profiles and UUIDs (H100, driver 590.48.01)', () => {
    expect(parseNvidiaSmiList(capture)).toEqual([
      {
        index: 0,
        name: 'NVIDIA H100 80GB HBM3',
        uuid: 'GPU-00000000-0000-0000-0000-000000000000',
        migs: [
          { index: 0, profile: '3g.40gb', uuid: 'MIG-00000000-0000-0000-0000-000000000000' },
          { index: 1, profile: '2g.20gb', uuid: 'MIG-00000001-0000-0000-0000-000000000001' },
          { index: 2, profile: '1g.10gb', uuid: 'MIG-00000002-0000-0000-0000-000000000002' },
          { index: 3, profile: '1g.10gb', uuid: 'MIG-00000003-0000-0000-0000-000000000003' },
        ],
      },
    ]);
  });

  it('skips what it does not recognise: a MIG line before any GPU, garbage, CRLF', () => {
    const text = '  MIG 1g.10gb Device 0: (UUID: MIG-x)\r\nnonsense\r\nGPU 1: A100 (UUID: GPU-b)\r\n  MIG 7g.80gb     Device  0: (UUID: MIG-c)\r\n';
    expect(parseNvidiaSmiList(text)).toEqual([{ index: 1, name: 'A100', uuid: 'GPU-b', migs: [{ index: 0, profile: '7g.80gb', uuid: 'MIG-c' }] }]);
    expect(parseNvidiaSmiList('')).toEqual([]);
  });
});
