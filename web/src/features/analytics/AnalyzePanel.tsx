import { Card, Empty, Flex, Select, Table, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { LoadError } from '../../components/PageState';
import type { AnalysisDimension, AnalysisMeasure, AnalyzeQuery } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { useAddressState, type AddressCodec } from '../../lib/addressState';
import { problemsOf } from '../../lib/errors';
import { formatMoney, formatNumber } from '../../lib/format';
import { DIMENSIONS, isMoney, measureValue, MEASURES } from './analytics';
import { AnalyzeDocument } from './documents';
import { EChart, type ChartOption } from './EChart';

interface PivotState {
  dimensions: AnalysisDimension[];
  measures: AnalysisMeasure[];
}

const PIVOT_STATE: AddressCodec<PivotState> = {
  read: (p) => {
    const dims = (p.get('by') ?? 'MONTH').split(',').filter((d): d is AnalysisDimension => DIMENSIONS.includes(d as AnalysisDimension));
    const measures = (p.get('measure') ?? 'REVENUE').split(',').filter((m): m is AnalysisMeasure => MEASURES.includes(m as AnalysisMeasure));
    return { dimensions: dims.slice(0, 2), measures: measures.length ? measures : ['REVENUE'] };
  },
  write: (s) => {
    const p = new URLSearchParams();
    const by = s.dimensions.join(',');
    const measure = s.measures.join(',');
    if (by !== 'MONTH') p.set('by', by);
    if (measure !== 'REVENUE') p.set('measure', measure);
    return p;
  },
};

type Row = AnalyzeQuery['analyze']['rows'][number];

/** Revenue, margin, orders and customers grouped by up to two dimensions, as a chart and a table. */
export function AnalyzePanel() {
  const { t } = useTranslation();
  const language = currentLanguage();
  const [state, change] = useAddressState(PIVOT_STATE);
  const [result, reexecute] = useQuery({
    query: AnalyzeDocument,
    variables: { measures: state.measures, dimensions: state.dimensions },
    requestPolicy: 'cache-and-network',
  });
  const data = result.data?.analyze;

  const labelOf = (row: Row) =>
    row.keys
      .map((k) =>
        k.dimension === 'VALUE_TIER' && k.value
          ? t('analytics.tierName', { tier: k.value })
          : k.dimension === 'RFM_SEGMENT' && k.value
            ? t(`segment.${k.value}`, { defaultValue: k.label ?? k.value })
            : (k.label ?? k.value ?? t('analytics.none')),
      )
      .join(' / ') || t('analytics.all');

  const format = (m: AnalysisMeasure, v: number | null, row: Row) => {
    if (v === null) return '—';
    if (!isMoney(m)) return formatNumber(v, language);
    const raw = m === 'REVENUE' ? row.revenue : m === 'COST' ? row.cost : m === 'MARGIN' ? row.margin : row.averageOrderValue;
    return formatMoney(raw && data ? { amount: raw.amount, currency: data.currency } : null, language);
  };

  const option = useMemo<ChartOption | null>(() => {
    if (!data || data.rows.length === 0) return null;
    const money = state.measures.filter(isMoney);
    const counts = state.measures.filter((m) => !isMoney(m));
    const axes = [money.length > 0 && 'money', counts.length > 0 && 'count'].filter(Boolean) as string[];
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 64, right: axes.length > 1 ? 56 : 16, top: 36, bottom: 64 },
      xAxis: { type: 'category', data: data.rows.map(labelOf), axisLabel: { rotate: data.rows.length > 6 ? 30 : 0, fontSize: 11 } },
      yAxis: axes.map((a) => ({ type: 'value', name: a === 'money' ? data.currency : undefined, minInterval: a === 'count' ? 1 : undefined })),
      series: state.measures.map((m) => ({
        name: t(`measure.${m}`),
        type: 'bar',
        yAxisIndex: isMoney(m) ? 0 : axes.indexOf('count'),
        data: data.rows.map((r) => measureValue(r, m)),
      })),
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data, state.measures, t]);

  return (
    <Card title={t('analytics.analyze')}>
      <Flex vertical gap={12}>
        <Flex gap={12} wrap>
          <label>
            <Typography.Text style={{ marginRight: 8 }}>{t('analytics.groupBy')}</Typography.Text>
            <Select<AnalysisDimension[]>
              mode="multiple"
              aria-label={t('analytics.groupBy')}
              data-testid="pivot-dimensions"
              maxCount={2}
              value={state.dimensions}
              style={{ minWidth: 260 }}
              onChange={(dimensions) => change({ dimensions })}
              options={DIMENSIONS.map((d) => ({ value: d, label: t(`dimension.${d}`) }))}
            />
          </label>
          <label>
            <Typography.Text style={{ marginRight: 8 }}>{t('analytics.measures')}</Typography.Text>
            <Select<AnalysisMeasure[]>
              mode="multiple"
              aria-label={t('analytics.measures')}
              data-testid="pivot-measures"
              value={state.measures}
              style={{ minWidth: 300 }}
              onChange={(measures) => measures.length && change({ measures })}
              options={MEASURES.map((m) => ({ value: m, label: t(`measure.${m}`) }))}
            />
          </label>
        </Flex>
        {result.error && !data ? (
          <LoadError problems={problemsOf(result.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
        ) : !data ? (
          <Table loading dataSource={[]} columns={[]} pagination={false} />
        ) : data.rows.length === 0 ? (
          <Empty description={t('analytics.noOrders')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
        ) : (
          <>
            {option && <EChart option={option} label={t('analytics.analyze')} testId="chart-analyze" height={320} />}
            <Table<Row>
              size="small"
              data-testid="pivot-table"
              rowKey={(r) => r.keys.map((k) => k.value ?? '∅').join('|')}
              dataSource={data.rows}
              pagination={data.rows.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
              columns={[
                { title: state.dimensions.map((d) => t(`dimension.${d}`)).join(' / ') || t('analytics.all'), key: 'key', render: (_, r) => labelOf(r) },
                ...state.measures.map((m) => ({
                  title: t(`measure.${m}`),
                  key: m,
                  align: 'right' as const,
                  render: (_: unknown, r: Row) => format(m, measureValue(r, m), r),
                })),
              ]}
              summary={() => (
                <Table.Summary.Row>
                  <Table.Summary.Cell index={0}>
                    <Typography.Text strong>{t('analytics.total')}</Typography.Text>
                  </Table.Summary.Cell>
                  {state.measures.map((m, i) => (
                    <Table.Summary.Cell index={i + 1} key={m} align="right">
                      <Typography.Text strong data-testid={`pivot-total-${m}`}>
                        {format(m, measureValue(data.total as Row, m), data.total as Row)}
                      </Typography.Text>
                    </Table.Summary.Cell>
                  ))}
                </Table.Summary.Row>
              )}
            />
          </>
        )}
      </Flex>
    </Card>
  );
}
