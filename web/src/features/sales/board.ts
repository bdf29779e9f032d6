// The pipeline board's rules, apart from its rendering.
import type { DealCardFieldsFragment, DealFilter, StageKind } from '../../gql/graphql';

export interface StageLike {
  id: string;
  name: string;
  kind: StageKind;
  position: number;
  probability?: string;
}

/** Closed deals older than this leave the board's won and lost columns. */
export const CLOSED_DAYS = 30;
/** The API's largest page. */
export const COLUMN_LIMIT = 100;

/** The deals one column lists: its stage's, and for a won or lost stage only recent ones. */
export function columnFilter(stage: StageLike, closedSince: string): DealFilter {
  return stage.kind === 'OPEN' ? { stageId: { eq: stage.id } } : { stageId: { eq: stage.id }, closedAt: { gte: closedSince } };
}

/**
 * A column's cards: the deals still in its stage. A moved deal leaves its
 * old column at once (the cache has its new stage), before the column is
 * read again.
 */
export function cardsOf(stage: StageLike, deals: DealCardFieldsFragment[]): DealCardFieldsFragment[] {
  return deals.filter((d) => d.stageId === stage.id);
}

/** The stages a deal may move to, in pipeline order. */
export function targetsOf(stages: StageLike[], deal: { stageId: string }): StageLike[] {
  return [...stages].sort((a, b) => a.position - b.position).filter((s) => s.id !== deal.stageId);
}

export type MoveStep = { ask: 'reason'; required: true } | { ask: 'nothing' };

/** What moving to `stage` needs from the user first: a lost stage asks why. */
export function moveStep(stage: StageLike): MoveStep {
  return stage.kind === 'LOST' ? { ask: 'reason', required: true } : { ask: 'nothing' };
}

/** `days` days before `now`, as an RFC 3339 time at the start of that minute (stable across renders). */
export function daysAgo(days: number, now: Date = new Date()): string {
  const d = new Date(now.getTime() - days * 86_400_000);
  d.setUTCSeconds(0, 0);
  return d.toISOString();
}
