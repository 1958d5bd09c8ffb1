import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, errorFields, prettyLine } from './logger.js';

function collect(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

describe('createLogger', () => {
  it('writes one JSON line per record with bound fields', () => {
    const out = collect();
    const log = createLogger({ destination: out.stream, bindings: { component: 'scheduler' } }).child({ node: 'n1' });
    log.info('node ready', { epoch: 3 });
    const rec = JSON.parse(out.lines()[0]!) as Record<string, unknown>;
    expect(rec).toMatchObject({ level: 30, component: 'scheduler', node: 'n1', epoch: 3, msg: 'node ready' });
  });

  it('a child that sets the component replaces its parent\'s instead of repeating the key', () => {
    const out = collect();
    createLogger({ destination: out.stream, bindings: { component: 'scheduler' } }).child({ node: 'n1' }).child({ component: 'store' }).info('loaded');
    const line = out.lines()[0]!;
    expect(line.match(/"component"/g)).toHaveLength(1);
    expect(JSON.parse(line)).toMatchObject({ component: 'store', node: 'n1', msg: 'loaded' });
  });

  it('respects the level', () => {
    const out = collect();
    const log = createLogger({ destination: out.stream, level: 'warn' });
    log.info('hidden');
    log.warn('shown');
    expect(out.lines().map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['shown']);
  });

  it('survives a reader that went away (EPIPE) instead of looping on uncaught errors', async () => {
    let writes = 0;
    const broken = new Writable({
      write(_chunk, _enc, cb) {
        writes++;
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const log = createLogger({ destination: broken });
    for (let i = 0; i < 50; i++) log.error('still logging', { i });
    await new Promise((r) => setImmediate(r));
    expect(writes).toBeGreaterThan(0);
  });
});

describe('prettyLine', () => {
  it('renders time, level, component, message and fields', () => {
    const line = prettyLine(JSON.stringify({ time: Date.UTC(2026, 0, 1, 12, 30, 5, 7), level: 40, component: 'nats', msg: 'NATS disconnected', server: 'x:4222' }));
    expect(line).toBe('12:30:05.007 WARN  [nats] NATS disconnected server=x:4222');
  });

  it('passes through what is not JSON', () => {
    expect(prettyLine('plain text')).toBe('plain text');
  });
});

describe('errorFields', () => {
  it('keeps name, message and code of errors under `error`', () => {
    expect(errorFields(Object.assign(new Error('boom'), { code: 'EPIPE' }))).toEqual({ error: { name: 'Error', message: 'boom', code: 'EPIPE' } });
    expect(errorFields('text')).toEqual({ error: 'text' });
  });
});
