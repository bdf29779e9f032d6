import { DatePicker, Select } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { FilterInput } from '../../components/FilterInput';
import { SEGMENTS as RFM_SEGMENTS } from '../analytics/analytics';
import { STAGES, TIERS } from './labels';
import { amount, wholeNumber, type CustomerFilterState } from './listState';

/**
 * The customer filters' controls: the customer list's, and a dynamic
 * segment's conditions. Each change is a patch of the filters; `more` adds
 * those beyond stage, tag and country. The caller lays them out (in a group
 * it names).
 */
export function CustomerFilters({
  value,
  onChange,
  disabled = false,
  more = false,
}: {
  value: CustomerFilterState;
  onChange: (patch: Partial<CustomerFilterState>) => void;
  disabled?: boolean;
  more?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <>
      <Select
        mode="multiple"
        allowClear
        disabled={disabled}
        aria-label={t('customers.stage')}
        data-testid="filter-stage"
        placeholder={t('customers.anyStage')}
        style={{ minWidth: 220, width: 'auto' }}
        value={value.stages}
        onChange={(stages) => onChange({ stages })}
        options={STAGES.map((s) => ({ value: s, label: t(`stage.${s}`) }))}
      />
      <FilterInput label={t('customers.tag')} value={value.tag} disabled={disabled} width={160} onCommit={(tag) => onChange({ tag })} />
      <FilterInput
        label={t('customers.country')}
        title={t('customers.countryHint')}
        value={value.country}
        disabled={disabled}
        width={120}
        maxLength={2}
        normalize={(v) => v.toUpperCase()}
        onCommit={(country) => onChange({ country })}
      />
      {more && (
        <>
          <FilterInput label={t('customers.region')} value={value.region} disabled={disabled} width={160} onCommit={(region) => onChange({ region })} />
          <Select
            mode="multiple"
            allowClear
            disabled={disabled}
            aria-label={t('customers.tier')}
            data-testid="filter-tier"
            placeholder={t('customers.anyTier')}
            style={{ minWidth: 160, width: 'auto' }}
            value={value.tiers}
            onChange={(tiers) => onChange({ tiers })}
            options={TIERS.map((tier) => ({ value: tier, label: t('analytics.tierName', { tier }) }))}
          />
          <Select
            mode="multiple"
            allowClear
            disabled={disabled}
            aria-label={t('customers.rfm')}
            data-testid="filter-rfm"
            placeholder={t('customers.anyRfm')}
            style={{ minWidth: 220, width: 'auto' }}
            value={value.rfm}
            onChange={(rfm) => onChange({ rfm })}
            options={RFM_SEGMENTS.map((s) => ({ value: s, label: t(`segment.${s}`) }))}
          />
          <FilterInput
            label={t('customers.ordersMin')}
            value={value.ordersMin}
            disabled={disabled}
            width={150}
            inputMode="numeric"
            normalize={wholeNumber}
            onCommit={(ordersMin) => onChange({ ordersMin })}
          />
          <FilterInput
            label={t('customers.ordersMax')}
            value={value.ordersMax}
            disabled={disabled}
            width={150}
            inputMode="numeric"
            normalize={wholeNumber}
            onCommit={(ordersMax) => onChange({ ordersMax })}
          />
          <FilterInput
            label={t('customers.totalMin')}
            value={value.totalMin}
            disabled={disabled}
            width={180}
            inputMode="decimal"
            normalize={amount}
            onCommit={(totalMin) => onChange({ totalMin })}
          />
          <FilterInput
            label={t('customers.totalMax')}
            value={value.totalMax}
            disabled={disabled}
            width={180}
            inputMode="decimal"
            normalize={amount}
            onCommit={(totalMax) => onChange({ totalMax })}
          />
          <DatePicker.RangePicker
            aria-label={t('customers.createdBetween')}
            placeholder={[t('customers.createdFrom'), t('customers.createdTo')]}
            disabled={disabled}
            allowEmpty={[true, true]}
            value={[value.createdFrom ? dayjs(value.createdFrom) : null, value.createdTo ? dayjs(value.createdTo) : null]}
            onChange={(v) => onChange({ createdFrom: v?.[0]?.format('YYYY-MM-DD') ?? '', createdTo: v?.[1]?.format('YYYY-MM-DD') ?? '' })}
          />
        </>
      )}
    </>
  );
}
