/**
 * Parsing `nvidia-smi -L`: one line per GPU and, under a GPU in MIG mode, one
 * line per MIG device with its profile and UUID — which `nvidia-smi -q` does
 * not print. Pure. Lines it does not recognise are skipped, never fatal.
 *
 *   GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-…)
 *     MIG 1g.10gb     Device  2: (UUID: MIG-…)
 */

/** ListedMig is one MIG device line. */
export interface ListedMig {
  /** Device index within its GPU. */
  index: number;
  /** Profile, e.g. 1g.10gb. */
  profile: string;
  uuid: string;
}

/** ListedGpu is one GPU line with the MIG devices listed under it. */
export interface ListedGpu {
  index: number;
  name: string;
  uuid: string;
  migs: ListedMig[];
}

const GPU_LINE = /^GPU\s+(\d+):\s*(.*?)\s*\(UUID:\s*([^)\s]+)\s*\)\s*$/;
const MIG_LINE = /^\s+MIG\s+(\S+)\s+Device\s+(\d+):\s*\(UUID:\s*([^)\s]+)\s*\)\s*$/;

/** parseNvidiaSmiList reads `nvidia-smi -L` output. */
export function parseNvidiaSmiList(text: string): ListedGpu[] {
  const gpus: ListedGpu[] = [];
  for (const line of text.split(/\r?\n/)) {
    const g = GPU_LINE.exec(line);
    if (g) {
      gpus.push({ index: Number(g[1]), name: g[2]!, uuid: g[3]!, migs: [] });
      continue;
    }
    const m = MIG_LINE.exec(line);
    const parent = gpus.at(-1);
    if (m && parent) parent.migs.push({ index: Number(m[2]), profile: m[1]!, uuid: m[3]! });
  }
  return gpus;
}
