/**
 * Linux cpulists ("0-51,104-155"), the form sysfs, taskset, cgroups and
 * `nvidia-smi topo -m` use for sets of CPUs: parsing and rendering. Pure.
 */

/** Largest CPU count accepted from one cpulist, a guard against absurd ranges in corrupt input. */
export const MAX_CPULIST_CPUS = 1 << 20;

/**
 * parseCpuList parses a cpulist ("0-51,104-155", "0,2,4"; the strided form
 * "0-7:2" is not supported and counts as malformed) into ascending,
 * de-duplicated CPU numbers. The empty string gives []. Returns undefined for
 * anything malformed (bad token, reversed range, more than MAX_CPULIST_CPUS CPUs).
 */
export function parseCpuList(text: string): number[] | undefined {
  const t = text.trim();
  if (t === '') return [];
  const out = new Set<number>();
  for (const part of t.split(',')) {
    const m = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(part);
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo || hi - lo + 1 + out.size > MAX_CPULIST_CPUS) return undefined;
    for (let c = lo; c <= hi; c++) out.add(c);
  }
  return [...out].sort((a, b) => a - b);
}

/** formatCpuList renders CPU numbers as a cpulist ("0-3,8"), ascending and de-duplicated; [] gives "". */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
