import { afterEach, describe, expect, it, vi } from 'vitest';
import { MusterError } from './errors.js';
import { armFailpoints, FAILPOINT_NAMES, failpoint, parseFailpoints } from './failpoint.js';

describe('parseFailpoints', () => {
  it('reads a comma-separated list of known names, ignoring blanks', () => {
    expect([...parseFailpoints(' admit-before-commit, ,admit-after-commit ')]).toEqual(['admit-before-commit', 'admit-after-commit']);
    expect(parseFailpoints(undefined).size).toBe(0);
    expect(parseFailpoints('').size).toBe(0);
  });

  it('refuses an unknown name, naming it and the variable', () => {
    let err: unknown;
    try {
      parseFailpoints('admit-before-commit,admit-sometime');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MusterError);
    expect((err as MusterError).code).toBe('INVALID_ARGUMENT');
    expect((err as Error).message).toContain('MUSTER_FAILPOINTS');
    expect((err as Error).message).toContain('"admit-sometime"');
  });
});

describe('failpoint', () => {
  // The real SIGKILL is what the scheduler crash tests rely on; here process.kill is caught so the test runner survives.
  afterEach(() => {
    armFailpoints(new Set());
    vi.restoreAllMocks();
  });

  it('sends SIGKILL to this process where it is armed, and not where another is armed', () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    armFailpoints(parseFailpoints('admit-after-commit'));
    failpoint('admit-before-commit');
    expect(kill).not.toHaveBeenCalled();
    failpoint('admit-after-commit');
    expect(kill).toHaveBeenCalledWith(process.pid, 'SIGKILL');
  });

  it('does nothing when nothing is armed', () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    for (const n of FAILPOINT_NAMES) failpoint(n);
    expect(kill).not.toHaveBeenCalled();
  });
});
