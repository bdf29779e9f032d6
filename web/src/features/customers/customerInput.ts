// Form values → API inputs. An update sends only what changed, so it does
// not overwrite fields someone else changed meanwhile.
import type {
  CreateCustomerInput,
  CustomerFormFieldsFragment,
  CustomerKind,
  LifecycleStage,
  UpdateCustomerInput,
} from '../../gql/graphql';

export interface CustomerFormValues {
  kind: CustomerKind;
  name: string;
  email?: string;
  phone?: string;
  website?: string;
  industry?: string;
  region?: string;
  lifecycleStage: LifecycleStage;
  tags: string[];
  city?: string;
  country?: string;
}

export const FORM_FIELDS = [
  'kind',
  'name',
  'email',
  'phone',
  'website',
  'industry',
  'region',
  'lifecycleStage',
  'tags',
  'city',
  'country',
] as const;

const text = (v: string | null | undefined): string | null => {
  const t = (v ?? '').trim();
  return t === '' ? null : t;
};

export function valuesOf(c: CustomerFormFieldsFragment): CustomerFormValues {
  return {
    kind: c.kind,
    name: c.name,
    email: c.email ?? '',
    phone: c.phone ?? '',
    website: c.website ?? '',
    industry: c.industry ?? '',
    region: c.region ?? '',
    lifecycleStage: c.lifecycleStage,
    tags: c.tags,
    city: c.address?.city ?? '',
    country: c.address?.country ?? '',
  };
}

export function createInput(v: CustomerFormValues): CreateCustomerInput {
  const city = text(v.city);
  const country = text(v.country);
  return {
    kind: v.kind,
    name: v.name.trim(),
    email: text(v.email),
    phone: text(v.phone),
    website: text(v.website),
    industry: text(v.industry),
    region: text(v.region),
    lifecycleStage: v.lifecycleStage,
    tags: v.tags.map((t) => t.trim()).filter(Boolean),
    address: city || country ? { city, country } : null,
  };
}

/** The update for what changed between `before` and the form's values. */
export function updateInput(before: CustomerFormFieldsFragment, v: CustomerFormValues): UpdateCustomerInput {
  const input: UpdateCustomerInput = { id: before.id, version: before.version };
  const old = valuesOf(before);
  if (v.kind !== old.kind) input.kind = v.kind;
  if (v.name.trim() !== old.name) input.name = v.name.trim();
  for (const key of ['email', 'phone', 'website', 'industry', 'region'] as const) {
    if (text(v[key]) !== text(old[key])) input[key] = text(v[key]);
  }
  if (v.lifecycleStage !== old.lifecycleStage) input.lifecycleStage = v.lifecycleStage;
  const tags = v.tags.map((t) => t.trim()).filter(Boolean);
  if (tags.join('\n') !== old.tags.join('\n')) input.tags = tags;
  if (text(v.city) !== text(old.city) || text(v.country) !== text(old.country)) {
    // The address is replaced as a whole: keep the parts the form does not show.
    const a = before.address;
    input.address = {
      streetLines: a?.streetLines ?? [],
      stateProvince: a?.stateProvince ?? null,
      postalCode: a?.postalCode ?? null,
      city: text(v.city),
      country: text(v.country),
    };
  }
  return input;
}
