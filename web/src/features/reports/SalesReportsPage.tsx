import { Card, DatePicker, Empty, Flex, Segmented, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { Loading, LoadError } from '../../components/PageState';
import { problemsOf } from '../../lib/errors';
import { EChart, type ChartOption } from '../analytics/EChart';
import { SalesActivityDocument, SalesForecastDocument } from './documents';
import { ACTIVITY_MEASURES, activitySeries, FORECAST_MEASURES, forecastSeries } from './reports';

/** The sales forecast by expected close date, and each rep's activity, as charts. */
export default function SalesReportsPage() {
  const { t } = useTranslation();
  const [period, setPeriod] = useState<'MONTH' | 'QUARTER'>('MONTH');
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => [dayjs().startOf('month').subtract(2, 'month'), dayjs().add(6, 'month').endOf('month')]);
  const from = range[0].format('YYYY-MM-DD');
  const to = range[1].format('YYYY-MM-DD');
  const [forecast, refetchForecast] = useQuery({
    query: SalesForecastDocument,
    variables: { input: { period, groupBy: 'NONE', from, to } },
    requestPolicy: 'cache-and-network',
  });
  const activityVars = useMemo(() => ({ from: range[0].startOf('day').toISOString(), to: range[1].endOf('day').toISOString() }), [range]);
  const [activity, refetchActivity] = useQuery({ query: SalesActivityDocument, variables: activityVars, requestPolicy: 'cache-and-network' });

  const forecastOption = useMemo((): ChartOption | null => {
    const rows = forecast.data?.salesForecast.rows ?? [];
    if (!rows.length) return null;
    const { periods, series } = forecastSeries(rows);
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 60, right: 16, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: periods },
      yAxis: { type: 'value', name: forecast.data?.salesForecast.baseCurrency },
      series: FORECAST_MEASURES.map((m) => ({ type: 'bar', name: t(`reports.${m}`), data: series[m] })),
    } as ChartOption;
  }, [forecast.data, t]);

  const activityOption = useMemo((): ChartOption | null => {
    const reps = activity.data?.salesActivity.reps ?? [];
    if (!reps.length) return null;
    const { names, series } = activitySeries(reps);
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: names },
      yAxis: { type: 'value', minInterval: 1 },
      series: ACTIVITY_MEASURES.map((m) => ({ type: 'bar', name: t(`reports.${m}`), data: series[m] })),
    } as ChartOption;
  }, [activity.data, t]);

  const block = (
    q: { error?: unknown; data?: unknown },
    option: ChartOption | null,
    label: string,
    empty: string,
    testId: string,
    retry: () => void,
  ) =>
    q.error && !q.data ? (
      <LoadError problems={problemsOf(q.error as never)} onRetry={retry} />
    ) : !q.data ? (
      <Loading />
    ) : option ? (
      <EChart option={option} label={label} testId={testId} height={320} />
    ) : (
      <Empty description={empty} image={Empty.PRESENTED_IMAGE_SIMPLE} />
    );

  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {t('reports.title')}
      </Typography.Title>
      <Flex gap={8} wrap align="center">
        <DatePicker.RangePicker
          aria-label={t('reports.range')}
          allowClear={false}
          value={range}
          onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
        />
        <Segmented
          aria-label={t('reports.period')}
          value={period}
          onChange={(v) => setPeriod(v as 'MONTH' | 'QUARTER')}
          options={[
            { value: 'MONTH', label: t('reports.month') },
            { value: 'QUARTER', label: t('reports.quarter') },
          ]}
        />
      </Flex>
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('reports.forecast')}</h2>}>
        {block(forecast, forecastOption, t('reports.forecastChart'), t('reports.noForecast'), 'forecast-chart', () =>
          refetchForecast({ requestPolicy: 'network-only' }),
        )}
      </Card>
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('reports.activity')}</h2>}>
        {block(activity, activityOption, t('reports.activityChart'), t('reports.noActivity'), 'activity-chart', () =>
          refetchActivity({ requestPolicy: 'network-only' }),
        )}
      </Card>
    </Flex>
  );
}
