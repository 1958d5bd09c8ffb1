/** Running the `muster` CLI binary against a test cluster, as a person would. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { TestCluster } from './cluster.js';

/** CliResult is one CLI run's exit code and output. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** musterCli runs `muster --scheduler <cluster> ARGS` in the cluster's dir, with `input` on stdin when given. */
export function musterCli(tc: TestCluster, args: string[], input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [path.resolve('bin/muster.js'), '--scheduler', tc.schedulerAddress, ...args], { cwd: tc.dir, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
