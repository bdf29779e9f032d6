/** A same-site path to return to after signing in, or the default. */
export function safeNext(next: string | null | undefined, fallback = '/customers'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  if (next.startsWith('/sign-in') || next.startsWith('/sign-up')) return fallback;
  return next;
}

/** The main menu's entries, each with the paths that belong to it (first match wins). */
const MENU_PATHS: [key: string, prefixes: string[]][] = [
  ['customers', ['/customers']],
  ['leads', ['/leads']],
  ['pipeline', ['/pipeline', '/deals']],
  ['service-summary', ['/service-summary']],
  ['cases', ['/cases']],
  ['orders', ['/orders']],
  ['products', ['/products']],
  ['rates', ['/exchange-rates']],
  ['reports', ['/sales-reports']],
  ['segments', ['/segments']],
  ['campaigns', ['/campaigns']],
  ['analytics', ['/analytics']],
  ['admin', ['/admin']],
];

/** The main menu's entry a path belongs to; empty for none (the profile). */
export function menuKeyOf(path: string): string {
  const hit = MENU_PATHS.find(([, prefixes]) => prefixes.some((p) => path === p || path.startsWith(`${p}/`)));
  return hit ? hit[0] : '';
}
