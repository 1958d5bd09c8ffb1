/**
 * A host of its own for integration tests: a network namespace joined to
 * this one by a veth pair on a private /30, so a daemon started in it (`ip
 * netns exec`) has its own address and reaches the others only across that
 * link — which the test can cut and heal, as a switch port failing would.
 * Needs root and iproute2 (as CI has).
 */
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

/** NetnsHost is a namespace, its link to this one, and the means to cut it off. */
export interface NetnsHost {
  /** The namespace's name (for `ip netns exec`). */
  ns: string;
  /** This side's address on the link: what servers listen on to be reached from the namespace. */
  hostIp: string;
  /** The namespace's address. */
  nsIp: string;
  /** The command a daemon runs under to live in the namespace (it execs in place). */
  commandPrefix: string[];
  /** Takes the link down: packets stop both ways; connections are not closed, only silent. */
  cut(): void;
  /** Brings the link up again. */
  heal(): void;
  /** Deletes the namespace and the link (idempotent). */
  remove(): void;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** createNetnsHost creates a namespace and a veth pair on a /30 of 10.213.0.0/16 that no interface uses yet. */
export function createNetnsHost(): NetnsHost {
  const used = ip('-4', '-o', 'addr', 'show');
  let third = -1;
  for (let tries = 0; tries < 64 && third < 0; tries++) {
    const k = randomInt(0, 256);
    if (!used.includes(` 10.213.${k}.`)) third = k;
  }
  if (third < 0) throw new Error('no free 10.213.x.0/30 for a test network namespace');
  const id = `${process.pid % 100000}${randomInt(0, 1000)}`;
  const ns = `muster-t${id}`;
  const hostIf = `mth${id}`.slice(0, 15);
  const nsIf = `mtn${id}`.slice(0, 15);
  const hostIp = `10.213.${third}.1`;
  const nsIp = `10.213.${third}.2`;
  const remove = (): void => {
    try {
      ip('netns', 'del', ns);
    } catch {
      // already gone
    }
    try {
      ip('link', 'del', hostIf);
    } catch {
      // deleting the namespace took the pair with it
    }
  };
  try {
    ip('netns', 'add', ns);
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
    ip('link', 'set', nsIf, 'netns', ns);
    ip('addr', 'add', `${hostIp}/30`, 'dev', hostIf);
    ip('link', 'set', hostIf, 'up');
    ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${nsIp}/30`, 'dev', nsIf);
    ip('netns', 'exec', ns, 'ip', 'link', 'set', nsIf, 'up');
    ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
  } catch (err) {
    remove();
    throw err;
  }
  return {
    ns,
    hostIp,
    nsIp,
    commandPrefix: ['ip', 'netns', 'exec', ns],
    cut: () => void ip('link', 'set', hostIf, 'down'),
    heal: () => void ip('link', 'set', hostIf, 'up'),
    remove,
  };
}
