/** A same-site path to return to after signing in, or the default. */
export function safeNext(next: string | null | undefined, fallback = '/customers'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  if (next.startsWith('/sign-in') || next.startsWith('/sign-up')) return fallback;
  return next;
}
