import { describe, expect, it } from 'vitest';
import { Registry } from './metrics.js';

describe('Registry', () => {
  it('renders counters, histograms and scrape-time gauges in the Prometheus text format', () => {
    const r = new Registry();
    const c = r.counter('demo_events_total', 'Events.');
    c.inc({ kind: 'a' });
    c.inc({ kind: 'a' }, 2);
    c.inc({ kind: 'b"q' });
    const h = r.histogram('demo_seconds', 'Durations.', [0.1, 1]);
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    let reads = 0;
    r.gauge('demo_level', 'Level.', () => [{ labels: { queue: 'q1' }, value: ++reads }]);
    const text = r.render();
    expect(text).toContain('# HELP demo_events_total Events.\n# TYPE demo_events_total counter\ndemo_events_total{kind="a"} 3\ndemo_events_total{kind="b\\"q"} 1\n');
    expect(text).toContain('demo_seconds_bucket{le="0.1"} 1\ndemo_seconds_bucket{le="1"} 2\ndemo_seconds_bucket{le="+Inf"} 3\ndemo_seconds_sum 5.55\ndemo_seconds_count 3\n');
    expect(text).toContain('# TYPE demo_level gauge\ndemo_level{queue="q1"} 1\n');
    expect(r.render()).toContain('demo_level{queue="q1"} 2'); // read again at each scrape
  });

  it('refuses a name registered twice or not a metric name; a failing gauge is left out with a comment', () => {
    const r = new Registry();
    r.counter('x_total', 'x');
    expect(() => r.counter('x_total', 'again')).toThrow(/registered twice/);
    expect(() => r.counter('bad-name', 'x')).toThrow(/invalid metric name/);
    r.gauge('broken', 'b', () => {
      throw new Error('store closed');
    });
    expect(r.render()).toContain('# broken not collected: store closed');
  });
});
