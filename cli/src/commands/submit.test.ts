import { describe, expect, it } from 'vitest';
import { NATIVE_API_VERSION } from '../../../shared/src/spec/document.js';
import type { CliContext } from '../context.js';
import { readJobSetFile } from './submit.js';

const RJ0 = 'spec.replicatedJobs[0]';

/** manifest is a minimal jobset.x-k8s.io/v1alpha2 JobSet with `top` added under spec. */
function manifest(top = ''): string {
  return `apiVersion: jobset.x-k8s.io/v1alpha2
kind: JobSet
metadata: {name: t}
spec:
${top}  replicatedJobs:
    - name: w
      template:
        spec:
          parallelism: 1
          template:
            spec:
              containers:
                - name: main
                  command: ["true"]
`;
}

describe('muster submit reading a Kubernetes manifest', () => {
  /** fakeCtx is the part of a CliContext readJobSetFile uses: stdin and stderr. */
  function fakeCtx(stdin: string): { ctx: CliContext; err: string[] } {
    const err: string[] = [];
    const io = { readStdin: () => Promise.resolve(stdin), err: (s: string) => err.push(s), cwd: '/' };
    return { ctx: { io } as unknown as CliContext, err };
  }

  it('prints one warning line naming at most 10 ignored paths, then "and N more"', async () => {
    const extra = Array.from({ length: 12 }, (_, i) => `  x${i}: 1\n`).join('');
    const { ctx, err } = fakeCtx(manifest(extra));
    const d = await readJobSetFile(ctx, '-');
    expect(d.ignored).toHaveLength(12);
    expect(err).toEqual([`muster: warning: ignored (no meaning outside Kubernetes): ${d.ignored.slice(0, 10).join(', ')} and 2 more\n`]);
  });

  it('prints nothing when nothing was ignored, and nothing for a native file', async () => {
    const k8s = fakeCtx(manifest());
    await readJobSetFile(k8s.ctx, '-');
    expect(k8s.err).toEqual([]);
    const native = fakeCtx(`apiVersion: ${NATIVE_API_VERSION}\nkind: JobSet\nmetadata: {name: t}\nspec:\n  replicatedJobs: [{name: w, template: {template: {command: ["true"]}}}]\n`);
    await readJobSetFile(native.ctx, '-');
    expect(native.err).toEqual([]);
  });

  it('reports a semantic problem at its path in the manifest', async () => {
    const { ctx } = fakeCtx(manifest().replace('parallelism: 1', 'parallelism: 2\n          completions: 3'));
    await expect(readJobSetFile(ctx, '-')).rejects.toThrow(`${RJ0}.template.spec.completions`);
  });
});
