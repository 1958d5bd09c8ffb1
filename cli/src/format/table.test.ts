import { describe, expect, it } from 'vitest';
import { renderFields, renderTable } from './table.js';

describe('renderTable', () => {
  it('aligns every column to its widest cell with two spaces between', () => {
    const out = renderTable(
      ['NAME', 'PHASE', 'PODS'],
      [
        ['train', 'Running', '8/8'],
        ['a-much-longer-name', 'Pending', '0/16'],
      ],
    );
    expect(out.split('\n')).toEqual([
      'NAME                PHASE    PODS',
      'train               Running  8/8',
      'a-much-longer-name  Pending  0/16',
    ]);
  });

  it('leaves no trailing spaces and renders missing cells as empty', () => {
    const out = renderTable(['A', 'B', 'REASON'], [['x', 1, undefined], ['yy', null]]);
    for (const line of out.split('\n')) expect(line).toBe(line.trimEnd());
    expect(out.split('\n')).toEqual(['A   B  REASON', 'x   1', 'yy']);
  });

  it('prints only the header for no rows', () => {
    expect(renderTable(['NAME', 'PHASE'], [])).toBe('NAME  PHASE');
  });

  it('counts code points, not UTF-16 units, for width', () => {
    const out = renderTable(['X', 'Y'], [['—', 'a']]);
    expect(out.split('\n')).toEqual(['X  Y', '—  a']);
  });

  it('keeps a row on one line when a cell holds a newline', () => {
    expect(renderTable(['M'], [['a\nb']])).toBe('M\na b');
  });
});

describe('renderFields', () => {
  it('aligns values after the labels and skips undefined ones', () => {
    expect(
      renderFields([
        ['Name', 'train'],
        ['Reason', undefined],
        ['Restarts', 0],
      ]),
    ).toBe('Name:      train\nRestarts:  0');
  });
});
