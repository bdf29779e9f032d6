import { describe, expect, it } from 'vitest';
import { formatDuration, memberName } from './labels';

const t = (key: string, o?: Record<string, unknown>) => `${o?.count ?? ''}${key.replace('duration.', '')}`;

describe('sales labels', () => {
  it('formats a duration with its two largest units', () => {
    expect(formatDuration(90_061, t)).toBe('1d 1h');
    expect(formatDuration(86_400 + 120, t)).toBe('1d 2m');
    expect(formatDuration(59, t)).toBe('lessThanMinute');
  });

  it('names a member by id, else the fallback', () => {
    const members = [{ user: { id: 'u1', displayName: 'Ann', email: null } }, { user: { id: 'u2', displayName: null, email: 'bo@x' } }];
    expect(memberName(members, 'u1', '?')).toBe('Ann');
    expect(memberName(members, 'u2', '?')).toBe('bo@x');
    expect(memberName(members, 'u3', '?')).toBe('?');
    expect(memberName(undefined, null, '?')).toBe('?');
  });
});
