// Customers to and from CSV: the export's address, the import file's
// columns and the field each one fills.
import type { CustomerFilter, CustomerImportField, CustomerOrderBy } from '../../gql/graphql';
import { apiFetch } from '../../lib/client';
import { problemsOf, type ApiProblem } from '../../lib/errors';

export const IMPORT_FIELDS: CustomerImportField[] = [
  'NAME',
  'KIND',
  'EMAIL',
  'PHONE',
  'WEBSITE',
  'INDUSTRY',
  'REGION',
  'EXTERNAL_ID',
  'LIFECYCLE_STAGE',
  'TAGS',
  'OWNER_EMAIL',
  'OTHER_EMAILS',
  'OTHER_PHONES',
  'STREET',
  'CITY',
  'STATE_PROVINCE',
  'POSTAL_CODE',
  'COUNTRY',
  'ACQUISITION_SOURCE',
  'ACQUISITION_CHANNEL',
  'TEAM',
];

/** `GET /export/customers.csv` with the list's filter and order, as the API reads them (JSON). */
export function exportPath(filter: CustomerFilter | null, orderBy: readonly CustomerOrderBy[]): string {
  const params = new URLSearchParams();
  if (filter) params.set('filter', JSON.stringify(filter));
  if (orderBy.length) params.set('orderBy', JSON.stringify(orderBy));
  const query = params.toString();
  return `/export/customers.csv${query ? `?${query}` : ''}`;
}

/** The cells of a CSV text's first record (RFC 4180 quoting; a leading BOM dropped). */
export function firstCsvRecord(text: string): string[] {
  const s = text.replace(/^\uFEFF/, '');
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') break;
    else cell += c;
  }
  cells.push(cell);
  return cells.length === 1 && cells[0] === '' ? [] : cells;
}

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The field a column named `header` fills, as the API matches names (`External ID`, `owner_email`, `lifecycleStage`). */
export function guessField(header: string): CustomerImportField | null {
  const h = squash(header);
  return IMPORT_FIELDS.find((f) => squash(f) === h) ?? null;
}

/** Export rows of the customer list's filter and order, saved as a CSV file. */
export async function downloadCustomers(
  filter: CustomerFilter | null,
  orderBy: readonly CustomerOrderBy[],
): Promise<ApiProblem[]> {
  let response: Response;
  try {
    response = await apiFetch(exportPath(filter, orderBy), { headers: { Accept: 'text/csv' } });
  } catch (e) {
    return problemsOf({ networkError: e as Error });
  }
  if (!response.ok) {
    try {
      const body = (await response.json()) as { errors?: { message: string; extensions?: Record<string, unknown> }[] };
      const problems = problemsOf({ graphQLErrors: body.errors ?? [] });
      if (problems.length) return problems;
    } catch {
      // not JSON
    }
    return [{ code: 'INTERNAL', message: `HTTP ${response.status}` }];
  }
  const blob = await response.blob();
  const name = /filename="?([^";]+)"?/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? 'customers.csv';
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return [];
}
