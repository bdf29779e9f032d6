import { ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Empty, Flex, Progress, Row, Statistic, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { LoadError, Loading } from '../../components/PageState';
import type { AnalyticsRunFieldsFragment } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { problemsOf } from '../../lib/errors';
import { formatDateTime, formatMoney, formatNumber, formatPercent } from '../../lib/format';
import { usePermissions } from '../../lib/permissions';
import { AnalyzePanel } from './AnalyzePanel';
import { CrossSellPanel } from './CrossSell';
import { GrowthPanel } from './GrowthPanel';
import { heatCells, rfmGrid, SEGMENTS } from './analytics';
import { AnalyticsRunDocument, CustomerValueSummaryDocument, RecomputeCustomerValueDocument, ValueDistributionsDocument } from './documents';
import { EChart, type ChartOption } from './EChart';

// Solid and dark enough for AA contrast.
const RUN_COLORS = { QUEUED: '#595959', RUNNING: '#0958d9', SUCCEEDED: '#237804', FAILED: '#a8071a' } as const;
const busy = (run?: AnalyticsRunFieldsFragment | null) => run?.status === 'QUEUED' || run?.status === 'RUNNING';
const pct = (v: number) => Math.round(v * 1000) / 10;

export default function AnalyticsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const language = currentLanguage();
  const { can } = usePermissions();
  const [summary, reloadSummary] = useQuery({ query: CustomerValueSummaryDocument, requestPolicy: 'cache-and-network' });
  const [{ fetching: starting }, recompute] = useMutation(RecomputeCustomerValueDocument);
  const [started, setStarted] = useState<AnalyticsRunFieldsFragment | null>(null);

  const latest = summary.data?.analyticsRuns.edges[0]?.node ?? null;
  const watched = started ?? (busy(latest) ? latest : null);
  const [polled, poll] = useQuery({
    query: AnalyticsRunDocument,
    variables: { id: watched?.id ?? '' },
    pause: !watched,
    requestPolicy: 'network-only',
  });
  const run = (watched && polled.data?.analyticsRun) || watched || latest;

  // Asks for the run every second while it is queued or running; once it
  // has finished, the dashboard reads the new figures.
  useEffect(() => {
    if (!watched) return;
    if (busy(run)) {
      const timer = setTimeout(() => poll({ requestPolicy: 'network-only' }), 1000);
      return () => clearTimeout(timer);
    }
    if (run && run.id === watched.id && !busy(run)) {
      reloadSummary({ requestPolicy: 'network-only' });
      setStarted(null);
      if (run.status === 'SUCCEEDED') void message.success(t('analytics.runDone'));
    }
  }, [watched, run, poll, reloadSummary, message, t]);

  const start = async () => {
    const result = await recompute({});
    if (result.data) setStarted(result.data.recomputeCustomerValue);
    else problemsOf(result.error).forEach((p) => void message.error(p.message));
  };

  const s = summary.data?.customerValueSummary;
  const [distributions, reloadDistributions] = useQuery({ query: ValueDistributionsDocument, pause: !s?.asOf });
  // The latest run's figures, read again after each run.
  useEffect(() => {
    if (s?.asOf) reloadDistributions({ requestPolicy: 'network-only' });
  }, [s?.asOf, reloadDistributions]);
  const d = distributions.data?.customerValueSummary;

  const charts = useMemo(() => {
    if (!s?.asOf) return null;
    const tiers: ChartOption = {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 32 },
      xAxis: { type: 'category', data: s.tiers.map((x) => t('analytics.tierName', { tier: x.tier })) },
      yAxis: { type: 'value', axisLabel: { formatter: '{value} %' }, max: 100 },
      series: [
        { name: t('analytics.customerShare'), type: 'bar', data: s.tiers.map((x) => pct(x.customerShare)) },
        { name: t('analytics.revenueShare'), type: 'bar', data: s.tiers.map((x) => pct(x.revenueShare)) },
      ],
    };
    const pareto: ChartOption = {
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 16, bottom: 40 },
      xAxis: { type: 'value', min: 0, max: 100, name: t('analytics.customerShare'), nameLocation: 'middle', nameGap: 26, axisLabel: { formatter: '{value} %' } },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value} %' } },
      series: [
        {
          name: t('analytics.revenueShare'),
          type: 'line',
          showSymbol: false,
          areaStyle: { opacity: 0.15 },
          data: (s.pareto?.curve ?? []).map((p) => [pct(p.customerShare), pct(p.revenueShare)]),
        },
      ],
    };
    const segments = SEGMENTS.map((seg) => s.segments.find((x) => x.segment === seg)).filter((x) => !!x);
    const segmentChart: ChartOption = {
      tooltip: { trigger: 'axis' },
      grid: { left: 140, right: 24, top: 8, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: segments.map((x) => t(`segment.${x.segment}`)) },
      series: [{ name: t('analytics.customers'), type: 'bar', data: segments.map((x) => x.customers), label: { show: true, position: 'right' } }],
    };
    return { tiers, pareto, segmentChart };
  }, [s, t]);

  const sampleCharts = useMemo(() => {
    if (!d?.asOf || d.rfmGrid.length === 0) return null;
    const grid = rfmGrid(d.rfmGrid);
    const max = Math.max(1, ...grid.flat());
    const scores = ['1', '2', '3', '4', '5'];
    const heat: ChartOption = {
      tooltip: { position: 'top' },
      grid: { left: 64, right: 16, top: 16, bottom: 72 },
      xAxis: { type: 'category', data: scores, name: t('analytics.frequency'), nameLocation: 'middle', nameGap: 26, splitArea: { show: true } },
      yAxis: { type: 'category', data: scores, name: t('analytics.recency'), nameLocation: 'middle', nameGap: 36, splitArea: { show: true } },
      visualMap: { min: 0, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120 },
      series: [{ name: t('analytics.customers'), type: 'heatmap', data: heatCells(grid), label: { show: true } }],
    };
    const currency = d.totalRevenue?.currency;
    const money = (n: number) => (currency ? formatMoney({ amount: n.toFixed(0), currency }, language) : formatNumber(n, language));
    const clv: ChartOption = {
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: d.clv.map((b) => `${money(b.lower)}–${money(b.upper)}`), axisLabel: { rotate: 30, fontSize: 10 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: t('analytics.customers'), type: 'bar', data: d.clv.map((b) => b.customers) }],
    };
    const churn: ChartOption = {
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: d.churn.map((b) => `${Math.round(b.lower * 100)}–${Math.round(b.upper * 100)} %`) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: t('analytics.customers'), type: 'bar', data: d.churn.map((b) => b.customers), itemStyle: { color: '#c41d22' } }],
    };
    return { heat, clv, churn };
  }, [d, t, language]);

  if (summary.error && !summary.data) {
    return <LoadError problems={problemsOf(summary.error)} onRetry={() => reloadSummary({ requestPolicy: 'network-only' })} />;
  }
  if (!summary.data || !s) return <Loading />;


  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t('analytics.title')}
        </Typography.Title>
        {can('analytics:run') && (
          <Button type="primary" icon={<ReloadOutlined />} loading={starting} disabled={busy(run)} onClick={() => void start()}>
            {t('analytics.recompute')}
          </Button>
        )}
      </Flex>
      {run && (
        <Card size="small" data-testid="analytics-run">
          <Flex vertical gap={4}>
            <Flex gap={8} align="center" wrap>
              <Typography.Text strong>{t('analytics.lastRun')}</Typography.Text>
              <Tag variant="solid" color={RUN_COLORS[run.status]} data-testid="run-status">
                {t(`runStatus.${run.status}`)}
              </Tag>
              <Typography.Text type="secondary">
                {formatDateTime(run.finishedAt ?? run.startedAt ?? run.createdAt, language)}
              </Typography.Text>
              {run.stage && busy(run) && <Typography.Text type="secondary">{run.stage}</Typography.Text>}
            </Flex>
            {busy(run) && <Progress percent={Math.round(run.progress * 100)} status="active" aria-label={t('analytics.progress')} />}
            {run.status === 'FAILED' && run.error && <Alert type="error" showIcon message={run.error} role="alert" />}
            {run.status === 'SUCCEEDED' && !!run.ordersWithoutRate && (
              <Alert type="warning" showIcon message={t('analytics.withoutRate', { count: run.ordersWithoutRate })} />
            )}
          </Flex>
        </Card>
      )}
      {!s.asOf ? (
        <Card>
          <Empty description={t('analytics.empty')} />
        </Card>
      ) : (
        <>
          <Row gutter={[16, 16]}>
            <Col xs={12} lg={6}>
              <Card>
                <Statistic title={t('analytics.customersScored')} value={s.customerCount} data-testid="stat-customers" />
              </Card>
            </Col>
            <Col xs={12} lg={6}>
              <Card>
                <Statistic title={t('analytics.totalRevenue')} value={formatMoney(s.totalRevenue, language)} data-testid="stat-revenue" />
              </Card>
            </Col>
            <Col xs={12} lg={6}>
              <Card>
                <Statistic title={t('analytics.top20')} value={formatPercent(s.pareto?.top20RevenueShare, language)} data-testid="stat-top20" />
              </Card>
            </Col>
            <Col xs={12} lg={6}>
              <Card>
                <Statistic
                  title={t('analytics.for80')}
                  value={s.pareto ? `${formatPercent(s.pareto.customersFor80Share, language)} (${s.pareto.customersFor80Count})` : '—'}
                />
              </Card>
            </Col>
          </Row>
          <Typography.Text type="secondary">{t('analytics.asOf', { time: formatDateTime(s.asOf, language) })}</Typography.Text>
          {s.models?.fitError && <Alert type="info" showIcon message={t('analytics.fitError', { reason: s.models.fitError })} />}
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={12}>
              <Card title={t('analytics.tiers')}>
                {charts && <EChart option={charts.tiers} label={t('analytics.tiers')} testId="chart-tiers" />}
                <Table
                  size="small"
                  rowKey="tier"
                  pagination={false}
                  data-testid="tier-table"
                  dataSource={s.tiers}
                  columns={[
                    { title: t('analytics.tier'), key: 'tier', render: (_, x) => t('analytics.tierName', { tier: x.tier }) },
                    { title: t('analytics.customers'), dataIndex: 'customers', key: 'customers' },
                    { title: t('analytics.revenue'), key: 'revenue', render: (_, x) => formatMoney(x.revenue, language) },
                    { title: t('analytics.revenueShare'), key: 'share', render: (_, x) => formatPercent(x.revenueShare, language) },
                    { title: t('analytics.clv'), key: 'clv', render: (_, x) => formatMoney(x.clv12M, language) },
                  ]}
                />
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card title={t('analytics.pareto')}>
                {charts && <EChart option={charts.pareto} label={t('analytics.pareto')} testId="chart-pareto" height={360} />}
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card title={t('analytics.rfmGrid')}>
                {sampleCharts ? (
                  <EChart option={sampleCharts.heat} label={t('analytics.rfmGrid')} testId="chart-rfm" height={320} />
                ) : distributions.fetching ? (
                  <Loading />
                ) : distributions.error ? (
                  <LoadError problems={problemsOf(distributions.error)} onRetry={() => reloadDistributions({ requestPolicy: 'network-only' })} />
                ) : (
                  <Empty description={t('analytics.noScores')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
                )}
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card title={t('analytics.segments')}>
                {charts && <EChart option={charts.segmentChart} label={t('analytics.segments')} testId="chart-segments" height={320} />}
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card title={t('analytics.clvDistribution')}>
                {sampleCharts ? (
                  <EChart option={sampleCharts.clv} label={t('analytics.clvDistribution')} testId="chart-clv" />
                ) : (
                  <Empty description={t('analytics.noScores')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
                )}
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card title={t('analytics.churn')}>
                {sampleCharts ? (
                  <EChart option={sampleCharts.churn} label={t('analytics.churn')} testId="chart-churn" />
                ) : (
                  <Empty description={t('analytics.noScores')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
                )}
              </Card>
            </Col>
          </Row>
        </>
      )}
      <GrowthPanel />
      <CrossSellPanel />
      <AnalyzePanel />
    </Flex>
  );
}
