import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envName, type ConfigSources } from './load.js';
import { ConfigError } from './issues.js';
import { parseDuration, parseLabels } from './values.js';
import { loadSchedulerConfig, schedulerDefaults } from '../../../scheduler/src/config.js';
import { loadAgentConfig } from '../../../agent/src/config.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'muster-config-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
/** yamlFile writes a temp YAML file and returns its path. */
function yamlFile(text: string): string {
  const p = path.join(dir, `config-${++fileCount}.yaml`);
  writeFileSync(p, text);
  return p;
}

/** A default config file that does not exist, so the machine's /etc/muster never leaks in. */
const NO_DEFAULT = path.join(dir, 'absent', 'default.yaml');

function sources(over: Partial<ConfigSources> = {}): ConfigSources {
  return { defaultConfigFile: NO_DEFAULT, env: {}, flags: {}, ...over };
}

/** configIssues runs a load that must fail and returns its issues. */
function configIssues(load: () => unknown): { path: string; message: string }[] {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig layering: defaults < file < env < flags', () => {
  const file = yamlFile(['dbPath: /from/file.db', 'natsUrl: nats://file:4222', 'logLevel: debug', 'nodeGracePeriodMs: 5s', 'listen: 127.0.0.1:7000'].join('\n'));
  const env = { MUSTER_DB_PATH: '/from/env.db', MUSTER_NATS_URL: 'nats://env:4222', MUSTER_LISTEN: '' };
  const flags = { natsUrl: 'nats://flag:4222', logLevel: undefined };
  const cfg = loadSchedulerConfig(sources({ configFile: file, env, flags }));

  const cases: { name: string; key: keyof typeof cfg; want: unknown }[] = [
    { name: 'a setting only in the defaults keeps its default', key: 'scheduleIntervalMs', want: schedulerDefaults.scheduleIntervalMs },
    { name: 'the file overrides a default', key: 'nodeGracePeriodMs', want: 5000 },
    { name: 'env overrides the file', key: 'dbPath', want: '/from/env.db' },
    { name: 'a flag overrides env and file', key: 'natsUrl', want: 'nats://flag:4222' },
    { name: 'an undefined flag is ignored', key: 'logLevel', want: 'debug' },
    { name: 'an empty env variable is ignored', key: 'listen', want: '127.0.0.1:7000' },
  ];
  for (const c of cases) it(c.name, () => expect(cfg[c.key]).toEqual(c.want));

  it('queueing settings from env: fair-sharing strategies and AFS weights as lists, and bad ones named', () => {
    const c = loadSchedulerConfig(sources({ env: { MUSTER_FAIR_SHARING: 'true', MUSTER_FAIR_SHARING_STRATEGIES: 'LessThanInitialShare', MUSTER_AFS_RESOURCE_WEIGHTS: 'gpus=1, cpu=0.01' } }));
    expect([c.fairSharing, c.fairSharingStrategies, c.afsResourceWeights]).toEqual([true, ['LessThanInitialShare'], { gpus: 1, cpu: 0.01 }]);
    const bad = configIssues(() => loadSchedulerConfig(sources({ env: { MUSTER_FAIR_SHARING_STRATEGIES: 'LessThanInitialShare,LessThanOrEqualToFinalShare', MUSTER_AFS_RESOURCE_WEIGHTS: 'disk=1' } })));
    expect(bad.map((i) => i.path).sort()).toEqual(['afsResourceWeights', 'fairSharingStrategies']);
  });

  it('nodeLossRequeueLimit: 5 by default, -1 for no limit, below -1 or not a whole number refused by name', () => {
    expect(loadSchedulerConfig(sources({})).nodeLossRequeueLimit).toBe(5);
    expect(loadSchedulerConfig(sources({ flags: { nodeLossRequeueLimit: '-1' } })).nodeLossRequeueLimit).toBe(-1);
    expect(loadSchedulerConfig(sources({ env: { MUSTER_NODE_LOSS_REQUEUE_LIMIT: '0' } })).nodeLossRequeueLimit).toBe(0);
    for (const bad of ['-2', '1.5', 'often'])
      expect(configIssues(() => loadSchedulerConfig(sources({ flags: { nodeLossRequeueLimit: bad } }))).map((i) => i.path)).toEqual(['nodeLossRequeueLimit']);
  });

  it('env variable names follow the setting names', () => {
    expect(envName('natsUrl')).toBe('MUSTER_NATS_URL');
    expect(envName('nodeGracePeriodMs')).toBe('MUSTER_NODE_GRACE_PERIOD_MS');
    expect(envName('dbPath')).toBe('MUSTER_DB_PATH');
  });

  it('numbers from env strings become numbers', () => {
    const c = loadSchedulerConfig(sources({ env: { MUSTER_COORDINATOR_PORT_MIN: '30000', MUSTER_COORDINATOR_PORT_MAX: '30010' } }));
    expect(c.coordinatorPortMin).toBe(30000);
    expect(c.coordinatorPortMax).toBe(30010);
  });

  it('flags that are not settings are ignored', () => {
    expect(() => loadSchedulerConfig(sources({ flags: { config: '/x.yaml', verbose: true } }))).not.toThrow();
  });
});

describe('durations', () => {
  const cases: { name: string; value: string | number; want: number }[] = [
    { name: '3s', value: '3s', want: 3000 },
    { name: '250ms', value: '250ms', want: 250 },
    { name: '2m', value: '2m', want: 120_000 },
    { name: '1h', value: '1h', want: 3_600_000 },
    { name: '1.5s', value: '1.5s', want: 1500 },
    { name: 'a bare number is milliseconds', value: 1500, want: 1500 },
    { name: 'a bare numeric string is milliseconds', value: '700', want: 700 },
  ];
  // The heartbeat is set to its minimum (100ms) so that every grace period here is at least twice it.
  for (const c of cases) {
    it(`${c.name} in the file, env and flags`, () => {
      const fromFile = loadSchedulerConfig(sources({ configFile: yamlFile(`nodeGracePeriodMs: ${JSON.stringify(c.value)}\nnodeLostTimeoutMs: 1h\nheartbeatIntervalMs: 100ms`) }));
      expect(fromFile.nodeGracePeriodMs).toBe(c.want);
      const fromEnv = loadSchedulerConfig(sources({ env: { MUSTER_NODE_GRACE_PERIOD_MS: String(c.value), MUSTER_NODE_LOST_TIMEOUT_MS: '2h', MUSTER_HEARTBEAT_INTERVAL_MS: '100ms' } }));
      expect(fromEnv.nodeGracePeriodMs).toBe(c.want);
      const fromFlag = loadSchedulerConfig(sources({ flags: { nodeGracePeriodMs: c.value, nodeLostTimeoutMs: '2h', heartbeatIntervalMs: 100 } }));
      expect(fromFlag.nodeGracePeriodMs).toBe(c.want);
    });
  }

  const bad = ['soon', '3 days', '-1s', '5x', ''];
  for (const b of bad) it(`parseDuration rejects ${JSON.stringify(b)}`, () => expect(parseDuration(b)).toBeUndefined());

  it('a bad duration names the setting', () => {
    expect(configIssues(() => loadSchedulerConfig(sources({ flags: { heartbeatIntervalMs: 'often' } }))).map((i) => i.path)).toEqual(['heartbeatIntervalMs']);
  });

  it('a refinement on a duration (heartbeat at least 100ms) is reported', () => {
    expect(configIssues(() => loadSchedulerConfig(sources({ flags: { heartbeatIntervalMs: '50ms' } }))).map((i) => i.path)).toEqual(['heartbeatIntervalMs']);
  });
});

describe('labels', () => {
  it('k=v,k2=v2 from env', () => {
    const cfg = loadAgentConfig(sources({ env: { MUSTER_LABELS: 'rack=r1,zone=z-2' } }));
    expect(cfg.labels).toEqual({ rack: 'r1', zone: 'z-2' });
  });

  it('a mapping in the file', () => {
    const cfg = loadAgentConfig(sources({ configFile: yamlFile('labels:\n  rack: r7\n  pool: gpu\n') }));
    expect(cfg.labels).toEqual({ rack: 'r7', pool: 'gpu' });
  });

  it('a list of k=v from flags, with spaces trimmed', () => {
    const cfg = loadAgentConfig(sources({ flags: { labels: ['block=b1', ' rack = r2 '] } }));
    expect(cfg.labels).toEqual({ block: 'b1', rack: 'r2' });
  });

  it('a value containing "=" keeps everything after the first "="', () => {
    expect(parseLabels('expr=a=b')).toEqual({ expr: 'a=b' });
  });

  const bad = ['novalue', '=v', 'a=1,,=2'];
  for (const b of bad) {
    it(`a malformed label list ${JSON.stringify(b)} is reported at labels`, () => {
      expect(configIssues(() => loadAgentConfig(sources({ env: { MUSTER_LABELS: b } }))).map((i) => i.path)).toContain('labels');
    });
  }
});

describe('every problem is reported together', () => {
  it('an unknown setting in the file, a bad duration in env and a bad log level flag in one ConfigError', () => {
    const file = yamlFile('colour: blue\ndbPath: /x.db\n');
    const issues = configIssues(() =>
      loadSchedulerConfig(sources({ configFile: file, env: { MUSTER_NODE_GRACE_PERIOD_MS: 'soon' }, flags: { logLevel: 'loud' } })),
    );
    const paths = issues.map((i) => i.path);
    expect(paths).toContain(`${file}: colour`);
    expect(paths).toContain('nodeGracePeriodMs');
    expect(paths).toContain('logLevel');
    expect(issues).toHaveLength(3);
  });

  it('the error message lists each problem on its own line', () => {
    try {
      loadAgentConfig(sources({ flags: { logLevel: 'loud', scheduler: 'no-port' } }));
      expect.unreachable();
    } catch (err) {
      const lines = (err as Error).message.split('\n');
      expect(lines.some((l) => l.includes('logLevel'))).toBe(true);
      expect(lines.some((l) => l.includes('scheduler'))).toBe(true);
    }
  });

  it('a cross-setting problem on its own is reported', () => {
    const issues = configIssues(() => loadSchedulerConfig(sources({ flags: { coordinatorPortMin: 30000, coordinatorPortMax: 29000 } })));
    expect(issues.map((i) => i.path)).toEqual(['coordinatorPortMax']);
  });

  it('cross-setting problems are reported together with the other problems', () => {
    const issues = configIssues(() =>
      loadSchedulerConfig(sources({ flags: { coordinatorPortMin: 30000, coordinatorPortMax: 29000, logLevel: 'loud' } })),
    );
    expect(issues.map((i) => i.path).sort()).toEqual(['coordinatorPortMax', 'logLevel']);
  });

  it('a grace period shorter than two heartbeats is reported at nodeGracePeriodMs, with the other problems', () => {
    const file = yamlFile('heartbeatIntervalMs: 2s\n');
    const issues = configIssues(() =>
      loadSchedulerConfig(
        sources({ configFile: file, env: { MUSTER_NODE_GRACE_PERIOD_MS: '3999ms' }, flags: { coordinatorPortMin: 30000, coordinatorPortMax: 29000, logLevel: 'loud' } }),
      ),
    );
    expect(issues.map((i) => i.path).sort()).toEqual(['coordinatorPortMax', 'logLevel', 'nodeGracePeriodMs']);
    const grace = issues.find((i) => i.path === 'nodeGracePeriodMs')!;
    expect(grace.message).toMatch(/heartbeatIntervalMs/);
  });

  it('a grace period of exactly two heartbeats is accepted', () => {
    const cfg = loadSchedulerConfig(sources({ flags: { heartbeatIntervalMs: '2s', nodeGracePeriodMs: '4s' } }));
    expect(cfg.nodeGracePeriodMs).toBe(2 * cfg.heartbeatIntervalMs);
  });

  it('the defaults keep the grace period at least twice the heartbeat', () => {
    const cfg = loadSchedulerConfig(sources());
    expect(cfg.nodeGracePeriodMs).toBeGreaterThanOrEqual(2 * cfg.heartbeatIntervalMs);
  });

  it('a longer heartbeat alone makes the default grace period too short', () => {
    const issues = configIssues(() => loadSchedulerConfig(sources({ env: { MUSTER_HEARTBEAT_INTERVAL_MS: '1600ms' } })));
    expect(issues.map((i) => i.path)).toEqual(['nodeGracePeriodMs']);
  });

  it('a heartbeat that is invalid on its own is reported once, not compared with the grace period', () => {
    const issues = configIssues(() => loadSchedulerConfig(sources({ flags: { heartbeatIntervalMs: '50ms', nodeGracePeriodMs: '60ms' } })));
    expect(issues.map((i) => i.path)).toEqual(['heartbeatIntervalMs']);
  });
});

describe('config files', () => {
  it('a missing --config file is an error naming the file', () => {
    const missing = path.join(dir, 'nope.yaml');
    expect(configIssues(() => loadSchedulerConfig(sources({ configFile: missing }))).map((i) => i.path)).toEqual([missing]);
  });

  it('with no --config and no default file the defaults are used', () => {
    expect(loadSchedulerConfig(sources())).toEqual(schedulerDefaults);
  });

  it('the default file is read when present and no --config is given', () => {
    const def = yamlFile('dbPath: /from/default.db\n');
    expect(loadSchedulerConfig(sources({ defaultConfigFile: def })).dbPath).toBe('/from/default.db');
  });

  it('--config wins over the default file', () => {
    const def = yamlFile('dbPath: /from/default.db\n');
    const given = yamlFile('logLevel: warn\n');
    const cfg = loadSchedulerConfig(sources({ defaultConfigFile: def, configFile: given }));
    expect(cfg.dbPath).toBe(schedulerDefaults.dbPath);
    expect(cfg.logLevel).toBe('warn');
  });

  it('an empty file means no settings', () => {
    expect(loadSchedulerConfig(sources({ configFile: yamlFile('') }))).toEqual(schedulerDefaults);
  });

  it('a file that is not a mapping is an error naming the file', () => {
    const f = yamlFile('- a\n- b\n');
    expect(configIssues(() => loadSchedulerConfig(sources({ configFile: f }))).map((i) => i.path)).toEqual([f]);
  });

  it('a file that is not valid YAML is an error naming the file', () => {
    const f = yamlFile('listen: [unclosed\n');
    expect(configIssues(() => loadSchedulerConfig(sources({ configFile: f }))).map((i) => i.path)).toEqual([f]);
  });
});

describe('agent fencePodsAfterMs (self-fencing)', () => {
  it('off (0) by default; a duration from flags or env; under 1s (but not 0) or nonsense refused by name', () => {
    expect(loadAgentConfig(sources({})).fencePodsAfterMs).toBe(0);
    expect(loadAgentConfig(sources({ flags: { fencePodsAfterMs: '20s' } })).fencePodsAfterMs).toBe(20_000);
    expect(loadAgentConfig(sources({ env: { MUSTER_FENCE_PODS_AFTER_MS: '1m' } })).fencePodsAfterMs).toBe(60_000);
    for (const bad of ['500ms', 'soon', '-1s'])
      expect(configIssues(() => loadAgentConfig(sources({ flags: { fencePodsAfterMs: bad } }))).map((i) => i.path)).toEqual(['fencePodsAfterMs']);
  });
});
