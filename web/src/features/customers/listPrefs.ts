// The customer list's per-user preferences, kept in this browser
// (localStorage, keyed by user): which columns show, and saved views (a
// name and the list's filter and sort as they stand in the address).

/** Columns that may be hidden; the name column always shows. */
export const OPTIONAL_COLUMNS = ['stage', 'email', 'phone', 'country', 'tags', 'contact', 'created'] as const;
export type OptionalColumn = (typeof OPTIONAL_COLUMNS)[number];
/** Shown until the user chooses (the phone column is extra). */
export const DEFAULT_COLUMNS: OptionalColumn[] = ['stage', 'email', 'country', 'tags', 'contact', 'created'];

export interface SavedView {
  name: string;
  /** The address's query string, without `?`. */
  search: string;
}

interface Storage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const store = (): Storage | null => (typeof localStorage === 'undefined' ? null : localStorage);
const columnsKey = (userId: string) => `crm.customers.columns.${userId}`;
const viewsKey = (userId: string) => `crm.customers.views.${userId}`;

function read(storage: Storage | null, key: string): unknown {
  try {
    return JSON.parse(storage?.getItem(key) ?? 'null');
  } catch {
    return null;
  }
}

/** The columns the user chose (unknown names dropped), else the defaults. */
export function loadColumns(userId: string, storage: Storage | null = store()): OptionalColumn[] {
  const v = read(storage, columnsKey(userId));
  if (!Array.isArray(v)) return DEFAULT_COLUMNS;
  return OPTIONAL_COLUMNS.filter((c) => v.includes(c));
}

export function saveColumns(userId: string, columns: readonly string[], storage: Storage | null = store()): OptionalColumn[] {
  const kept = OPTIONAL_COLUMNS.filter((c) => columns.includes(c));
  storage?.setItem(columnsKey(userId), JSON.stringify(kept));
  return kept;
}

export function loadViews(userId: string, storage: Storage | null = store()): SavedView[] {
  const v = read(storage, viewsKey(userId));
  if (!Array.isArray(v)) return [];
  return v.filter(
    (x): x is SavedView => typeof x === 'object' && x !== null && typeof x.name === 'string' && typeof x.search === 'string',
  );
}

/** Adds a view (one of the same name is replaced), sorted by name; the list as stored. */
export function saveView(userId: string, view: SavedView, storage: Storage | null = store()): SavedView[] {
  const name = view.name.trim();
  if (!name) return loadViews(userId, storage);
  const views = [...loadViews(userId, storage).filter((v) => v.name !== name), { name, search: view.search.replace(/^\?/, '') }];
  views.sort((a, b) => a.name.localeCompare(b.name));
  storage?.setItem(viewsKey(userId), JSON.stringify(views));
  return views;
}

export function removeView(userId: string, name: string, storage: Storage | null = store()): SavedView[] {
  const views = loadViews(userId, storage).filter((v) => v.name !== name);
  storage?.setItem(viewsKey(userId), JSON.stringify(views));
  return views;
}

/** Tags after adding or removing one (trimmed; no duplicates). */
export function retag(tags: readonly string[], tag: string, add: boolean): string[] {
  const t = tag.trim();
  if (!t) return [...tags];
  const rest = tags.filter((x) => x !== t);
  return add ? [...rest, t] : rest;
}
