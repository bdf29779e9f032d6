import { describe, expect, it } from 'vitest';
import { formFieldOf, isVersionConflict, messageWithoutField, problemsOf, splitByField } from './errors';

describe('problemsOf', () => {
  it('reads code, field and retryAfter from extensions', () => {
    const problems = problemsOf({
      graphQLErrors: [
        { message: 'not an email address', extensions: { code: 'VALIDATION', field: 'email' } },
        { message: 'slow down', extensions: { code: 'RATE_LIMITED', retryAfter: 3 } },
        { message: 'odd', extensions: null },
      ],
    });
    expect(problems).toEqual([
      { code: 'VALIDATION', message: 'not an email address', field: 'email', retryAfter: undefined },
      { code: 'RATE_LIMITED', message: 'slow down', field: undefined, retryAfter: 3 },
      { code: 'INTERNAL', message: 'odd', field: undefined, retryAfter: undefined },
    ]);
  });

  it('reports a network failure when there is no GraphQL error', () => {
    expect(problemsOf({ graphQLErrors: [], networkError: new Error('Failed to fetch') })).toEqual([
      { code: 'NETWORK', message: 'Failed to fetch' },
    ]);
    expect(problemsOf(undefined)).toEqual([]);
  });
});

describe('formFieldOf', () => {
  it.each([
    ['email', 'email'],
    ['input.email', 'email'],
    ['emails[1].value', 'emails'],
    ['emails.1.value', 'emails'],
    ['address.country', 'country'],
    ['input.address.city', 'city'],
    ['tags', 'tags'],
  ])('%s → %s', (api, form) => expect(formFieldOf(api)).toBe(form));
});

describe('splitByField', () => {
  it('puts known fields on the form and keeps the rest general', () => {
    const { fields, general } = splitByField(
      [
        { code: 'VALIDATION', message: 'email: bad email', field: 'email' },
        { code: 'VALIDATION', message: 'bad country', field: 'address.country' },
        { code: 'VALIDATION', message: 'unknown team', field: 'teamId' },
        { code: 'CONFLICT', message: 'changed meanwhile' },
      ],
      ['email', 'country', 'name'],
    );
    expect(fields).toEqual({ email: ['bad email'], country: ['bad country'] });
    expect(general.map((p) => p.field ?? p.code)).toEqual(['teamId', 'CONFLICT']);
  });
});

describe('messageWithoutField', () => {
  it('drops the field the API starts its message with, in either language', () => {
    expect(messageWithoutField({ code: 'VALIDATION', field: 'deal.currency', message: 'deal.currency: no rate' })).toBe('no rate');
    expect(messageWithoutField({ code: 'VALIDATION', field: 'deal.currency', message: 'deal.currency：没有汇率' })).toBe('没有汇率');
    expect(messageWithoutField({ code: 'VALIDATION', field: 'email', message: 'is not an email' })).toBe('is not an email');
    expect(messageWithoutField({ code: 'CONFLICT', message: 'x: y' })).toBe('x: y');
  });
});

describe('isVersionConflict', () => {
  it('is a conflict on the version or on no field', () => {
    expect(isVersionConflict([{ code: 'CONFLICT', message: 'stale' }])).toBe(true);
    expect(isVersionConflict([{ code: 'CONFLICT', field: 'version', message: 'stale' }])).toBe(true);
    expect(isVersionConflict([{ code: 'CONFLICT', field: 'code', message: 'taken' }])).toBe(false);
    expect(isVersionConflict([{ code: 'VALIDATION', message: 'bad' }])).toBe(false);
  });
});
