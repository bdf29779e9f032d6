import { describe, expect, it } from 'vitest';
import { DEFAULT_COLUMNS, loadColumns, loadViews, removeView, retag, saveColumns, saveView } from './listPrefs';

function memory() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

describe('customer list preferences', () => {
  it('keeps columns per user, in column order, ignoring unknown ones', () => {
    const s = memory();
    expect(loadColumns('u1', s)).toEqual(DEFAULT_COLUMNS);
    expect(saveColumns('u1', ['created', 'phone', 'bogus'], s)).toEqual(['phone', 'created']);
    expect(loadColumns('u1', s)).toEqual(['phone', 'created']);
    expect(loadColumns('u2', s)).toEqual(DEFAULT_COLUMNS);
    s.setItem('crm.customers.columns.u3', '{not json');
    expect(loadColumns('u3', s)).toEqual(DEFAULT_COLUMNS);
  });

  it('saves, replaces and removes views by name', () => {
    const s = memory();
    saveView('u1', { name: 'VIP', search: '?tag=vip' }, s);
    saveView('u1', { name: 'Leads', search: 'stage=LEAD' }, s);
    expect(saveView('u1', { name: ' VIP ', search: 'tag=vip&country=US' }, s)).toEqual([
      { name: 'Leads', search: 'stage=LEAD' },
      { name: 'VIP', search: 'tag=vip&country=US' },
    ]);
    expect(saveView('u1', { name: '  ', search: 'x' }, s)).toHaveLength(2);
    expect(loadViews('u2', s)).toEqual([]);
    expect(removeView('u1', 'Leads', s)).toEqual([{ name: 'VIP', search: 'tag=vip&country=US' }]);
  });

  it('adds and removes a tag once', () => {
    expect(retag(['a', 'b'], ' c ', true)).toEqual(['a', 'b', 'c']);
    expect(retag(['a', 'b'], 'a', true)).toEqual(['b', 'a']);
    expect(retag(['a', 'b'], 'a', false)).toEqual(['b']);
    expect(retag(['a'], '', true)).toEqual(['a']);
  });
});
