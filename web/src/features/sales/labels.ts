// Shared wording helpers of the sales and service pages.

type T = (key: string, options?: Record<string, unknown>) => string;

interface MemberLike {
  user: { id: string; displayName?: string | null; email?: string | null };
}

/** A member's name (or address) by user id; `fallback` when unknown (left, or not listed). */
export function memberName(members: readonly MemberLike[] | undefined, userId: string | null | undefined, fallback: string): string {
  if (!userId) return fallback;
  const m = members?.find((x) => x.user.id === userId);
  return m?.user.displayName || m?.user.email || fallback;
}

/** `90061` → "1 d 1 h": the two largest units that are not zero. */
export function formatDuration(seconds: number, t: T): string {
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ];
  let rest = Math.max(0, Math.floor(seconds));
  const parts: string[] = [];
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(t(`duration.${unit}`, { count: n }));
  }
  return parts.length ? parts.slice(0, 2).join(' ') : t('duration.lessThanMinute');
}
