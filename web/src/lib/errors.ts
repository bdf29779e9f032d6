// API errors as the console shows them: each GraphQL error carries
// `extensions.code` from a fixed set and, for validation errors and some
// conflicts, the offending `field` as the API spells it.

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'VALIDATION'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'INTERNAL'
  | 'NETWORK';

export interface ApiProblem {
  code: ErrorCode | string;
  message: string;
  /** The API's field path, such as `email` or `address.country`. */
  field?: string;
  retryAfter?: number;
}

interface GraphQLErrorLike {
  message: string;
  extensions?: Record<string, unknown> | null;
}

interface CombinedErrorLike {
  graphQLErrors?: readonly GraphQLErrorLike[];
  networkError?: Error | null;
}

/** The problems a failed operation reports, network failures included. */
export function problemsOf(error: CombinedErrorLike | null | undefined): ApiProblem[] {
  if (!error) return [];
  const problems: ApiProblem[] = (error.graphQLErrors ?? []).map((e) => {
    const ext = e.extensions ?? {};
    return {
      code: typeof ext.code === 'string' ? ext.code : 'INTERNAL',
      message: e.message,
      field: typeof ext.field === 'string' ? ext.field : undefined,
      retryAfter: typeof ext.retryAfter === 'number' ? ext.retryAfter : undefined,
    };
  });
  if (problems.length === 0 && error.networkError) {
    problems.push({ code: 'NETWORK', message: error.networkError.message });
  }
  return problems;
}

/**
 * The form field an API field path belongs to: `input.` is dropped, list
 * indexes and sub-fields of a list fold into the list (`emails[1].value` →
 * `emails`), and parts of the address are fields of their own
 * (`address.country` → `country`).
 */
export function formFieldOf(apiField: string): string {
  const parts = apiField
    .replace(/\[\d+\]/g, '')
    .split('.')
    .filter((p) => p !== '' && !/^\d+$/.test(p));
  if (parts[0] === 'input') parts.shift();
  if (parts[0] === 'address' && parts.length > 1) return parts[1];
  return parts[0] ?? apiField;
}

/**
 * Splits problems into messages for fields the form shows and the rest,
 * which the form shows above its fields (with the field named).
 */
export function splitByField(
  problems: ApiProblem[],
  formFields: readonly string[],
): { fields: Record<string, string[]>; general: ApiProblem[] } {
  const fields: Record<string, string[]> = {};
  const general: ApiProblem[] = [];
  for (const p of problems) {
    const name = p.field ? formFieldOf(p.field) : undefined;
    // The field shows the message without the `field: ` the API starts it with.
    const message = p.field && p.message.startsWith(`${p.field}: `) ? p.message.slice(p.field.length + 2) : p.message;
    if (name && formFields.includes(name)) (fields[name] ??= []).push(message);
    else general.push(p);
  }
  return { fields, general };
}

export const hasCode = (problems: ApiProblem[], code: ErrorCode): boolean =>
  problems.some((p) => p.code === code);

/** A problem's message without the `field: ` (or Chinese `field：`) the API may start it with. */
export function messageWithoutField(p: ApiProblem): string {
  if (!p.field) return p.message;
  for (const sep of [': ', '：', ':']) {
    if (p.message.startsWith(p.field + sep)) return p.message.slice(p.field.length + sep.length).trimStart();
  }
  return p.message;
}

/** A stale version (the API names `version`, or no field): the form is reloaded and edited again. */
export const isVersionConflict = (problems: ApiProblem[]): boolean =>
  problems.some((p) => p.code === 'CONFLICT' && (!p.field || p.field === 'version'));
