import { ArrowDownOutlined, ArrowUpOutlined } from '@ant-design/icons';
import { Alert, Card, Empty, Flex, Segmented, Select, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useQuery } from 'urql';
import { LoadError, Loading } from '../../components/PageState';
import { currentLanguage } from '../../i18n';
import { lastDays } from '../../lib/dayRange';
import { problemsOf } from '../../lib/errors';
import { formatDate, formatMoney, formatNumber, formatPercent } from '../../lib/format';
import { growthRows, nextSteps, type GrowthRow } from './analytics';
import { CustomerGrowthDocument } from './documents';
import { EChart, type ChartOption } from './EChart';

const PERIODS = [30, 90, 365];
const LAPSES = [90, 180, 365];

/** Growth in three directions: more relationships (wider), longer ones (longer), richer ones (deeper), each against the period before. */
export function GrowthPanel() {
  const { t } = useTranslation();
  const language = currentLanguage();
  const [days, setDays] = useState(90);
  const [lapseDays, setLapseDays] = useState(180);
  const period = useMemo(() => lastDays(days), [days]);
  const [growth, reexecute] = useQuery({
    query: CustomerGrowthDocument,
    variables: { from: period.from, to: period.to, lapseDays },
    requestPolicy: 'cache-and-network',
  });
  const g = growth.data?.customerGrowth;
  const rows = useMemo(() => (g ? growthRows(g) : []), [g]);
  const steps = nextSteps(rows);

  const value = (r: GrowthRow, v: GrowthRow['current']) => {
    if (v === null) return '—';
    if (typeof v === 'object') return formatMoney(v, language);
    switch (r.format) {
      case 'share':
        return formatPercent(v, language);
      case 'days':
        return t('growth.days', { count: Math.round(v) });
      case 'decimal':
        return formatNumber(v, language, 2);
      default:
        return formatNumber(v, language);
    }
  };

  // Changes need figures of the previous period; without any, no chart.
  const chart = useMemo<ChartOption | null>(() => {
    if (!rows.some((r) => r.relativeChange !== null)) return null;
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 150, right: 24, top: 8, bottom: 24 },
      xAxis: { type: 'value', axisLabel: { formatter: '{value} %' } },
      yAxis: { type: 'category', inverse: true, data: rows.map((r) => t(`growth.${r.key}`)) },
      series: [
        {
          name: t('growth.change'),
          type: 'bar',
          data: rows.map((r) => ({
            value: r.relativeChange === null ? 0 : Math.round(r.relativeChange * 1000) / 10,
            itemStyle: { color: r.improved === false ? '#a8071a' : r.improved ? '#237804' : '#8c8c8c' },
          })),
        },
      ],
    };
  }, [rows, t]);

  return (
    <Card
      title={
        <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
          {t('growth.title')}
        </Typography.Title>
      }
      extra={
        <Flex gap={8} wrap align="center">
          <Segmented<number>
            aria-label={t('growth.period')}
            value={days}
            onChange={setDays}
            options={PERIODS.map((d) => ({ value: d, label: t('serviceSummary.lastDays', { count: d }) }))}
          />
          <Select
            aria-label={t('growth.lapse')}
            value={lapseDays}
            style={{ width: 190 }}
            onChange={setLapseDays}
            options={LAPSES.map((d) => ({ value: d, label: t('growth.lapseDays', { count: d }) }))}
          />
        </Flex>
      }
      data-testid="growth-panel"
    >
      {growth.error && !growth.data ? (
        <LoadError problems={problemsOf(growth.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
      ) : !g ? (
        <Loading />
      ) : rows.every((r) => r.current === null || r.current === 0) && rows.every((r) => r.previous === null || r.previous === 0) ? (
        <Empty description={t('growth.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <Flex vertical gap={16}>
          <Typography.Text type="secondary">
            {t('growth.periods', {
              from: formatDate(g.from, language, 'UTC'),
              to: formatDate(new Date(Date.parse(g.to) - 1).toISOString(), language, 'UTC'),
              previousFrom: formatDate(g.previousFrom, language, 'UTC'),
              previousTo: formatDate(new Date(Date.parse(g.previousTo) - 1).toISOString(), language, 'UTC'),
            })}
          </Typography.Text>
          <Table<GrowthRow>
            size="small"
            rowKey="key"
            pagination={false}
            data-testid="growth-table"
            dataSource={rows}
            scroll={{ x: 720 }}
            columns={[
              {
                title: t('growth.direction'),
                key: 'direction',
                width: '34%',
                // One cell per direction, over its figures.
                onCell: (r, i) => ({
                  rowSpan: i !== undefined && rows[i - 1]?.direction === r.direction ? 0 : rows.filter((x) => x.direction === r.direction).length,
                }),
                render: (_, r) => (
                  <Flex vertical gap={2} data-testid={`growth-${r.direction}`}>
                    <Typography.Text strong>{t(`growth.${r.direction}`)}</Typography.Text>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t(`growth.${r.direction}Hint`)}
                    </Typography.Text>
                  </Flex>
                ),
              },
              { title: t('growth.figure'), key: 'figure', render: (_, r) => t(`growth.${r.key}`) },
              { title: t('growth.current'), key: 'current', align: 'right', render: (_, r) => <span data-testid={`growth-${r.key}`}>{value(r, r.current)}</span> },
              { title: t('growth.previous'), key: 'previous', align: 'right', render: (_, r) => value(r, r.previous) },
              {
                title: t('growth.change'),
                key: 'change',
                align: 'right',
                render: (_, r) =>
                  r.relativeChange === null ? (
                    '—'
                  ) : (
                    <span style={{ color: r.improved === false ? '#a8071a' : r.improved ? '#237804' : undefined, whiteSpace: 'nowrap' }}>
                      {r.relativeChange > 0 ? <ArrowUpOutlined aria-hidden /> : r.relativeChange < 0 ? <ArrowDownOutlined aria-hidden /> : null}{' '}
                      {formatPercent(Math.abs(r.relativeChange), language)}
                    </span>
                  ),
              },
            ]}
          />
          {!chart && <Typography.Text type="secondary">{t('growth.noComparison')}</Typography.Text>}
          {chart && <EChart option={chart} label={t('growth.chart')} testId="chart-growth" height={300} />}
          {steps.length > 0 && (
            <Alert
              type="info"
              showIcon
              message={t('growth.nextSteps')}
              description={
                <ul style={{ margin: 0, paddingInlineStart: 18 }} data-testid="growth-next-steps">
                  {steps.map((s) => (
                    <li key={s.direction}>
                      <Link to={s.to}>{t(`growth.step.${s.direction}`)}</Link>
                    </li>
                  ))}
                </ul>
              }
            />
          )}
        </Flex>
      )}
    </Card>
  );
}
