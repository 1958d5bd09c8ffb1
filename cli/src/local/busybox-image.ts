/**
 * A tiny local image for trying containers (tests, benchmarks, the demo) where
 * no registry is reachable: built from the host's static busybox
 * (busybox-static) — a rootfs with every applet linked — and imported into
 * podman's storage as BUSYBOX_IMAGE. Idempotent: an image already present is
 * kept.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findPodman } from './container-engine.js';

/** BUSYBOX_IMAGE is the tag of the test image. */
export const BUSYBOX_IMAGE = 'localhost/muster-busybox:test';

/** STATIC_BUSYBOX is where Debian's busybox-static installs its binary. */
export const STATIC_BUSYBOX = '/bin/busybox';

/** ensureBusyboxImage imports BUSYBOX_IMAGE into podman's default storage unless it is there; returns its tag. */
export function ensureBusyboxImage(): string {
  const podman = findPodman();
  if (!podman) throw new Error('podman is not installed (make test installs it: deploy/ensure-deps.sh)');
  try {
    execFileSync(podman, ['image', 'exists', BUSYBOX_IMAGE], { stdio: 'ignore' });
    return BUSYBOX_IMAGE;
  } catch {
    // not there yet
  }
  const root = mkdtempSync(path.join(os.tmpdir(), 'muster-rootfs-'));
  try {
    for (const d of ['bin', 'etc', 'tmp', 'root', 'work']) mkdirSync(path.join(root, d), { recursive: true });
    chmodSync(path.join(root, 'tmp'), 0o1777);
    chmodSync(path.join(root, 'work'), 0o1777);
    copyFileSync(STATIC_BUSYBOX, path.join(root, 'bin', 'busybox'));
    chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
    const applets = execFileSync(STATIC_BUSYBOX, ['--list']).toString().split('\n').filter((a) => /^[\w.[-]+$/.test(a) && a !== 'busybox');
    for (const a of applets) symlinkSync('busybox', path.join(root, 'bin', a));
    writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
    writeFileSync(path.join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
    const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 64 << 20 });
    execFileSync(podman, ['import', '--change', 'ENV PATH=/bin', '--change', 'WORKDIR /work', '-', BUSYBOX_IMAGE], { input: tar, stdio: ['pipe', 'ignore', 'pipe'] });
    return BUSYBOX_IMAGE;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
