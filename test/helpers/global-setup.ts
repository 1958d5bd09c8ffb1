/**
 * Integration global setup: builds dist/ (the daemons run as real processes
 * from it) unless MUSTER_SKIP_BUILD=1 says the caller just built, and checks
 * that nats-server can be found.
 */
import { execFileSync } from 'node:child_process';
import { findNatsServer } from '../../cli/src/local/nats-server.js';

/** setup runs once before all integration tests. */
export default function setup(): void {
  if (process.env.MUSTER_SKIP_BUILD !== '1') execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  findNatsServer();
}
