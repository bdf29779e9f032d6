import { describe, expect, it } from 'vitest';
import type { DealCardFieldsFragment } from '../../gql/graphql';
import { cardsOf, columnFilter, daysAgo, moveStep, targetsOf, type StageLike } from './board';

const stages: StageLike[] = [
  { id: 'won', name: 'Won', kind: 'WON', position: 3 },
  { id: 'q', name: 'Qualification', kind: 'OPEN', position: 1 },
  { id: 'p', name: 'Proposal', kind: 'OPEN', position: 2 },
  { id: 'lost', name: 'Lost', kind: 'LOST', position: 4 },
];
const deal = (id: string, stageId: string) => ({ id, stageId }) as DealCardFieldsFragment;

describe('pipeline board', () => {
  it('lists open stages whole and closed stages since a time', () => {
    expect(columnFilter(stages[1], '2026-01-01T00:00:00.000Z')).toEqual({ stageId: { eq: 'q' } });
    expect(columnFilter(stages[0], '2026-01-01T00:00:00.000Z')).toEqual({
      stageId: { eq: 'won' },
      closedAt: { gte: '2026-01-01T00:00:00.000Z' },
    });
  });

  it('drops a moved deal from its old column before the column is read again', () => {
    expect(cardsOf(stages[1], [deal('a', 'q'), deal('b', 'won')]).map((d) => d.id)).toEqual(['a']);
  });

  it('offers the other stages in pipeline order', () => {
    expect(targetsOf(stages, deal('a', 'p')).map((s) => s.id)).toEqual(['q', 'won', 'lost']);
  });

  it('asks for a reason only for a lost stage', () => {
    expect(moveStep(stages[3])).toEqual({ ask: 'reason', required: true });
    expect(moveStep(stages[0])).toEqual({ ask: 'nothing' });
  });

  it('computes a stable start for recent closed deals', () => {
    const now = new Date('2026-03-31T10:20:30.400Z');
    expect(daysAgo(30, now)).toBe('2026-03-01T10:20:00.000Z');
    expect(daysAgo(30, new Date('2026-03-31T10:20:59.999Z'))).toBe(daysAgo(30, now));
  });
});
