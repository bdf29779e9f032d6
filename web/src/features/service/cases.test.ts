import { describe, expect, it } from 'vitest';
import { CASE_QUEUE_STATE, caseFilter, mayRate, nextStatuses, slaBadges } from './cases';

describe('case queue', () => {
  it('keeps its filters in the address, with defaults left out', () => {
    const state = CASE_QUEUE_STATE.read(new URLSearchParams('view=overdue&status=OPEN,NOPE&priority=HIGH&owner=me&sort=priority'));
    expect(state).toEqual({ view: 'overdue', statuses: ['OPEN'], priorities: ['HIGH'], owner: 'me', sort: 'priority' });
    expect(CASE_QUEUE_STATE.read(CASE_QUEUE_STATE.write(state))).toEqual(state);
    expect(CASE_QUEUE_STATE.write(CASE_QUEUE_STATE.read(new URLSearchParams('view=bogus'))).toString()).toBe('');
  });

  it('builds the API filter', () => {
    const read = (q: string) => CASE_QUEUE_STATE.read(new URLSearchParams(q));
    expect(caseFilter(read(''), 'u1')).toEqual({ open: true });
    expect(caseFilter(read('view=all'), 'u1')).toBeNull();
    expect(caseFilter(read('view=overdue&owner=me&priority=URGENT'), 'u1')).toEqual({
      overdue: true,
      ownerId: { eq: 'u1' },
      priority: { in: ['URGENT'] },
    });
    expect(caseFilter(read('view=all&owner=unassigned&status=NEW'), 'u1')).toEqual({ unassigned: true, status: { in: ['NEW'] } });
  });

  it('shows breaches, and due soon for open cases close to their resolution time', () => {
    const now = new Date('2026-05-01T12:00:00Z');
    const c = { isOpen: true, resolutionDueAt: '2026-05-01T15:00:00Z', firstResponseBreached: false, resolutionBreached: false };
    expect(slaBadges(c, now)).toEqual(['dueSoon']);
    expect(slaBadges({ ...c, resolutionDueAt: '2026-05-02T12:00:00Z' }, now)).toEqual([]);
    expect(slaBadges({ ...c, firstResponseBreached: true, resolutionBreached: true }, now)).toEqual([
      'responseBreached',
      'resolutionBreached',
    ]);
    expect(slaBadges({ ...c, isOpen: false }, now)).toEqual([]);
  });

  it('offers the status changes the API allows', () => {
    expect(nextStatuses('NEW')).toEqual(['OPEN', 'PENDING', 'RESOLVED', 'CLOSED']);
    expect(nextStatuses('PENDING')).toEqual(['OPEN', 'RESOLVED', 'CLOSED']);
    expect(nextStatuses('RESOLVED')).toEqual(['OPEN', 'CLOSED']);
    expect(nextStatuses('CLOSED')).toEqual([]);
    expect(mayRate('RESOLVED', false)).toBe(true);
    expect(mayRate('OPEN', false)).toBe(false);
    expect(mayRate('CLOSED', true)).toBe(false);
  });
});
