import { ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Empty, Flex, Progress, Row, Statistic, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient, useMutation, useQuery } from 'urql';
import { LoadError, Loading } from '../../components/PageState';
import type { AnalyticsRunFieldsFragment, ScoredCustomersQuery } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { problemsOf } from '../../lib/errors';
import { formatDateTime, formatMoney, formatNumber, formatPercent } from '../../lib/format';
import { usePermissions } from '../../lib/permissions';
import { AnalyzePanel } from './AnalyzePanel';
import { heatCells, histogram, rfmGrid, riskBins, SEGMENTS } from './analytics';
import { AnalyticsRunDocument, CustomerValueSummaryDocument, RecomputeCustomerValueDocument, ScoredCustomersDocument } from './documents';
import { EChart, type ChartOption } from './EChart';

/** Scored customers read for the per-customer charts, at most. */
const SAMPLE_LIMIT = 1000;
const PAGE = 100;
// Solid and dark enough for AA contrast.
const RUN_COLORS = { QUEUED: '#595959', RUNNING: '#0958d9', SUCCEEDED: '#237804', FAILED: '#a8071a' } as const;
const busy = (run?: AnalyticsRunFieldsFragment | null) => run?.status === 'QUEUED' || run?.status === 'RUNNING';
const pct = (v: number) => Math.round(v * 1000) / 10;

type Scored = NonNullable<ScoredCustomersQuery['customers']['edges'][number]['node']['value']>;

/** Scored customers' figures, read a page at a time after each run. */
function useScoredCustomers(asOf: string | null | undefined): { values: Scored[]; total: number; loading: boolean } {
  const client = useClient();
  const [state, setState] = useState<{ values: Scored[]; total: number; loading: boolean }>({ values: [], total: 0, loading: false });
  useEffect(() => {
    if (!asOf) return;
    let cancelled = false;
    setState((s) => ({ ...s, loading: true }));
    void (async () => {
      const values: Scored[] = [];
      let after: string | null = null;
      let total = 0;
      while (values.length < SAMPLE_LIMIT) {
        const result: { data?: ScoredCustomersQuery } = await client
          .query(ScoredCustomersDocument, { first: PAGE, after }, { requestPolicy: 'network-only' })
          .toPromise();
        const page: ScoredCustomersQuery['customers'] | undefined = result.data?.customers;
        if (!page) break;
        total = page.totalCount;
        for (const e of page.edges) if (e.node.value) values.push(e.node.value);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor ?? null;
      }
      if (!cancelled) setState({ values, total, loading: false });
    })();
    return () => {
      cancelled = true;
    };
  }, [asOf, client]);
  return state;
}

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
  const scored = useScoredCustomers(s?.asOf);

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
    if (!scored.values.length) return null;
    const grid = rfmGrid(scored.values.map((v) => v.rfmScore));
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
    const currency = scored.values.find((v) => v.clv12m)?.clv12m?.currency;
    const bins = histogram(
      scored.values.map((v) => (v.clv12m ? Number(v.clv12m.amount) : NaN)),
      10,
    );
    const money = (n: number) => (currency ? formatMoney({ amount: n.toFixed(0), currency }, language) : formatNumber(n, language));
    const clv: ChartOption = {
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: bins.map((b) => `${money(b.from)}–${money(b.to)}`), axisLabel: { rotate: 30, fontSize: 10 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: t('analytics.customers'), type: 'bar', data: bins.map((b) => b.count) }],
    };
    const risk = riskBins(scored.values.map((v) => v.churnRisk ?? NaN));
    const churn: ChartOption = {
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: risk.map((_, i) => `${i * 10}–${i * 10 + 10} %`) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: t('analytics.customers'), type: 'bar', data: risk, itemStyle: { color: '#c41d22' } }],
    };
    return { heat, clv, churn };
  }, [scored.values, t, language]);

  if (summary.error && !summary.data) {
    return <LoadError problems={problemsOf(summary.error)} onRetry={() => reloadSummary({ requestPolicy: 'network-only' })} />;
  }
  if (!summary.data || !s) return <Loading />;

  const sampleNote =
    scored.total > scored.values.length ? t('analytics.sampleNote', { count: scored.values.length, total: scored.total }) : undefined;

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
              <Card title={t('analytics.rfmGrid')} extra={sampleNote && <Typography.Text type="secondary">{sampleNote}</Typography.Text>}>
                {sampleCharts ? (
                  <EChart option={sampleCharts.heat} label={t('analytics.rfmGrid')} testId="chart-rfm" height={320} />
                ) : scored.loading ? (
                  <Loading />
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
              <Card title={t('analytics.clvDistribution')} extra={sampleNote && <Typography.Text type="secondary">{sampleNote}</Typography.Text>}>
                {sampleCharts ? (
                  <EChart option={sampleCharts.clv} label={t('analytics.clvDistribution')} testId="chart-clv" />
                ) : (
                  <Empty description={t('analytics.noScores')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
                )}
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card title={t('analytics.churn')} extra={sampleNote && <Typography.Text type="secondary">{sampleNote}</Typography.Text>}>
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
      <AnalyzePanel />
    </Flex>
  );
}
