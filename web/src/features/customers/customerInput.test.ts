import { describe, expect, it } from 'vitest';
import type { CustomerFormFieldsFragment } from '../../gql/graphql';
import { createInput, updateInput, valuesOf } from './customerInput';

const before: CustomerFormFieldsFragment = {
  id: 'c1',
  version: 4,
  kind: 'COMPANY',
  name: 'Acme',
  email: 'info@acme.example',
  phone: null,
  website: null,
  industry: 'Retail',
  region: null,
  lifecycleStage: 'LEAD',
  tags: ['vip'],
  address: { streetLines: ['1 Main St'], city: 'Berlin', stateProvince: null, postalCode: '10115', country: 'DE' },
};

describe('customer inputs', () => {
  it('sends only changed fields with the version read', () => {
    const values = { ...valuesOf(before), industry: '  ', lifecycleStage: 'CUSTOMER' as const };
    expect(updateInput(before, values)).toEqual({ id: 'c1', version: 4, industry: null, lifecycleStage: 'CUSTOMER' });
  });

  it('replaces the address keeping the parts the form does not show', () => {
    const values = { ...valuesOf(before), city: 'Munich' };
    expect(updateInput(before, values).address).toEqual({
      streetLines: ['1 Main St'],
      stateProvince: null,
      postalCode: '10115',
      city: 'Munich',
      country: 'DE',
    });
  });

  it('creates with blanks left out and trimmed tags', () => {
    const input = createInput({ kind: 'PERSON', name: ' Ann ', lifecycleStage: 'LEAD', tags: [' a ', ''], email: '' });
    expect(input).toMatchObject({ kind: 'PERSON', name: 'Ann', email: null, tags: ['a'], address: null });
  });
});
