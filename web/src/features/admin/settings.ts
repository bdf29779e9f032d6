// Workspace settings as the forms show them: value settings with shares in
// percent, and the request allowance read from the API's `RateLimit-*`
// response headers. Pure functions, tested without a browser.
import type { CustomerValueSettings, UpdateCustomerValueSettingsInput } from '../../gql/graphql';
import { decimalText } from '../commerce/money';

type Settings = Pick<
  CustomerValueSettings,
  'tierAShare' | 'tierBShare' | 'horizonMonths' | 'annualDiscountRate' | 'scheduleEnabled' | 'scheduleIntervalHours'
>;

/** The value settings form: shares and the discount rate in percent. */
export interface ValueSettingsValues {
  tierAPercent: number;
  tierBPercent: number;
  horizonMonths: number;
  discountPercent: number;
  scheduleEnabled: boolean;
  scheduleIntervalHours: number;
}

// Percent to a share and back without float noise (12.5 → "0.125", "0.15" → 15).
const toPercent = (share: string) => Number(decimalText(Number(share) * 100, 4));
const toShare = (percent: number) => decimalText(percent / 100, 6);

export function valueSettingsValuesOf(s: Settings): ValueSettingsValues {
  return {
    tierAPercent: toPercent(s.tierAShare),
    tierBPercent: toPercent(s.tierBShare),
    horizonMonths: s.horizonMonths,
    discountPercent: toPercent(s.annualDiscountRate),
    scheduleEnabled: s.scheduleEnabled,
    scheduleIntervalHours: s.scheduleIntervalHours,
  };
}

/** The update for what changed (the API changes only the fields given). */
export function valueSettingsInput(before: Settings, v: ValueSettingsValues): UpdateCustomerValueSettingsInput {
  const old = valueSettingsValuesOf(before);
  const input: UpdateCustomerValueSettingsInput = {};
  if (v.tierAPercent !== old.tierAPercent) input.tierAShare = toShare(v.tierAPercent);
  if (v.tierBPercent !== old.tierBPercent) input.tierBShare = toShare(v.tierBPercent);
  if (v.horizonMonths !== old.horizonMonths) input.horizonMonths = v.horizonMonths;
  if (v.discountPercent !== old.discountPercent) input.annualDiscountRate = toShare(v.discountPercent);
  if (v.scheduleEnabled !== old.scheduleEnabled) input.scheduleEnabled = v.scheduleEnabled;
  if (v.scheduleIntervalHours !== old.scheduleIntervalHours) input.scheduleIntervalHours = v.scheduleIntervalHours;
  return input;
}

/** Where an API field of the value settings shows in the form. */
export function valueSettingsField(apiField: string): string {
  const name = apiField.replace(/^input\./, '');
  return (
    { tierAShare: 'tierAPercent', tierBShare: 'tierBPercent', annualDiscountRate: 'discountPercent' } as Record<string, string>
  )[name] ?? name;
}

/** The caller's request allowance as the last counted response told it. */
export interface Quota {
  /** Requests per minute. */
  limit: number;
  /** Requests that may still be made at once. */
  remaining: number;
  /** Seconds until the allowance is whole again. */
  resetSeconds: number;
}

/** The `RateLimit-*` headers of a response; null when it was not counted (headers missing or malformed). */
export function quotaOf(headers: { get(name: string): string | null }): Quota | null {
  const n = (name: string) => {
    const v = headers.get(name);
    return v !== null && /^\d+$/.test(v.trim()) ? Number(v) : null;
  };
  const limit = n('RateLimit-Limit');
  const remaining = n('RateLimit-Remaining');
  const resetSeconds = n('RateLimit-Reset');
  if (limit === null || remaining === null || resetSeconds === null) return null;
  return { limit, remaining, resetSeconds };
}
