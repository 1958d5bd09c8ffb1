/** Locating the nats-server binary (Debian installs it in /usr/sbin, which may be off PATH). */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** findNatsServer returns the nats-server path or throws saying how to install it. */
export function findNatsServer(): string {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin'];
  for (const d of dirs) {
    const p = path.join(d, 'nats-server');
    if (d && existsSync(p)) return p;
  }
  throw new Error('nats-server not found: install it (apt-get install nats-server) or run `make test`, which does');
}
