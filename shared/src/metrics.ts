/**
 * A small Prometheus registry: counters and histograms updated as things
 * happen, gauges read from a callback at scrape time (state that already
 * lives elsewhere is never copied), rendered in the text exposition format
 * 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
 */

/** Labels are a metric sample's label set. */
export type Labels = Readonly<Record<string, string>>;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? '' : `{${keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(',')}}`;
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  lines(): string[];
}

/** Counter only goes up, per label set. */
export class Counter {
  private readonly values = new Map<string, { labels: Labels; v: number }>();

  /** inc adds `by` (default 1) to the series of `labels`. */
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const cur = this.values.get(key);
    if (cur) cur.v += by;
    else this.values.set(key, { labels, v: by });
  }

  /** get is a series' value (0 when never incremented). */
  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.v ?? 0;
  }

  /** samples lists every series. */
  samples(): { labels: Labels; v: number }[] {
    return [...this.values.values()];
  }
}

/** Histogram counts observations into cumulative buckets, per label set. */
export class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();

  constructor(readonly buckets: readonly number[]) {}

  /** observe records one value. */
  observe(v: number, labels: Labels = {}): void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) s.counts[i]!++;
    s.sum += v;
    s.count++;
  }

  /** countOf is how many values a series has observed. */
  countOf(labels: Labels = {}): number {
    return this.series.get(labelText(labels))?.count ?? 0;
  }

  /** lines renders the series as `_bucket`, `_sum`, `_count` lines of `name`. */
  lines(name: string): string[] {
    const out: string[] = [];
    for (const s of this.series.values()) {
      this.buckets.forEach((le, i) => out.push(`${name}_bucket${labelText({ ...s.labels, le: num(le) })} ${s.counts[i]}`));
      out.push(`${name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      out.push(`${name}_sum${labelText(s.labels)} ${num(s.sum)}`);
      out.push(`${name}_count${labelText(s.labels)} ${s.count}`);
    }
    return out;
  }
}

/** GaugeSample is one gauge series read at scrape time. */
export interface GaugeSample {
  labels: Labels;
  value: number;
}

/** Registry holds metric families and renders them. */
export class Registry {
  private readonly families: Family[] = [];
  private readonly names = new Set<string>();

  private add(f: Family): void {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(f.name)) throw new Error(`invalid metric name ${f.name}`);
    if (this.names.has(f.name)) throw new Error(`metric ${f.name} registered twice`);
    this.names.add(f.name);
    this.families.push(f);
  }

  /** counter registers a counter (name should end in _total). */
  counter(name: string, help: string): Counter {
    const c = new Counter();
    this.add({ name, help, type: 'counter', lines: () => c.samples().map((s) => `${name}${labelText(s.labels)} ${num(s.v)}`) });
    return c;
  }

  /** histogram registers a histogram with the given upper bounds. */
  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    const h = new Histogram(buckets);
    this.add({ name, help, type: 'histogram', lines: () => h.lines(name) });
    return h;
  }

  /** gauge registers a gauge whose series `read` returns at each scrape. */
  gauge(name: string, help: string, read: () => readonly GaugeSample[]): void {
    this.add({ name, help, type: 'gauge', lines: () => read().map((s) => `${name}${labelText(s.labels)} ${num(s.value)}`) });
  }

  /** render is the whole exposition text. A gauge whose callback throws is left out, with a comment. */
  render(): string {
    const out: string[] = [];
    for (const f of this.families) {
      let lines: string[];
      try {
        lines = f.lines();
      } catch (err) {
        out.push(`# ${f.name} not collected: ${(err as Error).message.replace(/\n/g, ' ')}`);
        continue;
      }
      out.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${f.name} ${f.type}`, ...lines);
    }
    return out.join('\n') + '\n';
  }
}
