import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../util/poll.js';
import { startNatsServer } from './nats-server.js';
import { isAlive } from './processes.js';

function connect(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port }, () => {
      sock.destroy();
      resolve();
    });
    sock.once('error', reject);
  });
}

describe('startNatsServer (real nats-server)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'muster-nats-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts on a random port, accepts TCP, and is gone after stop', async () => {
    const nats = await startNatsServer({ dir });
    const pid = nats.process.pid;
    try {
      expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
      expect(nats.port).toBeGreaterThan(0);
      await connect(nats.port);
      expect(isAlive(pid)).toBe(true);
      expect(existsSync(path.join(dir, 'logs', 'nats-server.log'))).toBe(true);
      expect(existsSync(path.join(dir, 'nats'))).toBe(true);
    } finally {
      await nats.stop();
    }
    expect(nats.process.running()).toBe(false);
    expect(isAlive(pid)).toBe(false);
    await expect(connect(nats.port)).rejects.toThrow();
    // nats-server removes its ports file when it shuts down cleanly
    await waitFor(() => !readdirSync(path.join(dir, 'run')).some((f) => f.endsWith(`_${pid}.ports`)), { timeoutMs: 5000, what: 'the ports file to go' });
  });

  it('fails with the log tail and leaves nothing running when nats-server cannot start', async () => {
    await expect(startNatsServer({ dir: path.join(dir, 'bad'), extraArgs: ['--no-such-flag'] })).rejects.toThrow(/nats-server exited/);
  });

  it('reports a missing binary', async () => {
    await expect(startNatsServer({ dir: path.join(dir, 'nobin'), bin: path.join(dir, 'no-such-nats-server') })).rejects.toThrow(/cannot start nats-server/);
  });
});
