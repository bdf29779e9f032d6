import { Card, Col, Empty, Flex, Row, Segmented, Statistic, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useQuery } from 'urql';
import { LoadError, Loading } from '../../components/PageState';
import type { ServiceSummaryFieldsFragment, ServiceSummaryQuery } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { lastDays, relativeChange } from '../../lib/dayRange';
import { problemsOf } from '../../lib/errors';
import { formatNumber, formatPercent } from '../../lib/format';
import { usePermissions } from '../../lib/permissions';
import { EChart, type ChartOption } from '../analytics/EChart';
import { formatDuration } from '../sales/labels';
import { PRIORITY_COLORS } from './cases';
import { ServiceSummaryDocument } from './documents';

const PERIODS = [7, 30, 90, 365];

type Figure = keyof Omit<ServiceSummaryFieldsFragment, 'from' | 'to' | ' $fragmentName' | '__typename'>;

/** Service over a period against the period before it: volume, backlog, service levels met, handling times and satisfaction. */
export default function ServiceSummaryPage() {
  const { t } = useTranslation();
  const language = currentLanguage();
  const { can } = usePermissions();
  const [days, setDays] = useState(30);
  const period = useMemo(() => lastDays(days), [days]);
  const [summary, reexecute] = useQuery({ query: ServiceSummaryDocument, variables: period, requestPolicy: 'cache-and-network' });

  const current = summary.data?.current;
  const previous = summary.data?.previous;
  const chart = useMemo<ChartOption | null>(() => {
    if (!current || !previous) return null;
    const keys = ['opened', 'resolved', 'openNow', 'overdueNow'] as const;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 32 },
      xAxis: { type: 'category', data: keys.map((k) => t(`serviceSummary.${k}`)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('serviceSummary.previousPeriod'), type: 'bar', data: keys.map((k) => previous[k]), itemStyle: { color: '#91caff' } },
        { name: t('serviceSummary.thisPeriod'), type: 'bar', data: keys.map((k) => current[k]), itemStyle: { color: '#0958d9' } },
      ],
    };
  }, [current, previous, t]);

  const minutes = (v: number | null | undefined) => (v === null || v === undefined ? '—' : formatDuration(v * 60, t));
  const figures: [Figure, (v: number | null | undefined) => string, boolean][] = [
    ['opened', (v) => formatNumber(v, language), true],
    ['openNow', (v) => formatNumber(v, language), false],
    ['overdueNow', (v) => formatNumber(v, language), false],
    ['resolved', (v) => formatNumber(v, language), true],
    ['firstResponseMetShare', (v) => formatPercent(v, language), true],
    ['resolutionMetShare', (v) => formatPercent(v, language), true],
    ['averageFirstResponseMinutes', minutes, false],
    ['averageResolutionMinutes', minutes, false],
    ['rated', (v) => formatNumber(v, language), true],
    ['averageSatisfaction', (v) => formatNumber(v, language, 1), true],
    ['satisfiedShare', (v) => formatPercent(v, language), true],
  ];

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t('serviceSummary.title')}
        </Typography.Title>
        <Segmented<number>
          aria-label={t('serviceSummary.period')}
          value={days}
          onChange={setDays}
          options={PERIODS.map((d) => ({ value: d, label: t('serviceSummary.lastDays', { count: d }) }))}
        />
      </Flex>
      {summary.error && !summary.data ? (
        <LoadError problems={problemsOf(summary.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
      ) : !current || !previous ? (
        <Loading />
      ) : (
        <>
          <Typography.Text type="secondary">{t('serviceSummary.hint', { count: days })}</Typography.Text>
          {current.opened === 0 && previous.opened === 0 ? (
            <Card>
              <Empty description={t('serviceSummary.empty')} />
            </Card>
          ) : (
            <Row gutter={[16, 16]}>
              {figures.map(([key, format, higherIsBetter]) => {
                const change = relativeChange(current[key], previous[key]);
                // Backlog and handling times are better lower.
                const good = change === null || change === 0 ? null : change > 0 === higherIsBetter;
                return (
                  <Col key={key} xs={12} md={8} xl={6}>
                    <Card size="small">
                      <Statistic
                        title={t(`serviceSummary.${key}`)}
                        value={format(current[key])}
                        valueStyle={{ fontSize: 22 }}
                        valueRender={(v) => <span data-testid={`summary-${key}`}>{v}</span>}
                      />
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {t('serviceSummary.before', { value: format(previous[key]) })}
                        {change !== null && (
                          <span style={{ color: good ? '#237804' : good === false ? '#a8071a' : undefined, marginInlineStart: 6 }}>
                            {change > 0 ? '+' : ''}
                            {formatPercent(change, language)}
                          </span>
                        )}
                      </Typography.Text>
                    </Card>
                  </Col>
                );
              })}
            </Row>
          )}
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={14}>
              <Card size="small" title={t('serviceSummary.volume')}>
                {chart && <EChart option={chart} label={t('serviceSummary.volumeChart')} testId="chart-service-volume" height={260} />}
              </Card>
            </Col>
            <Col xs={24} xl={10}>
              <Card
                size="small"
                title={t('serviceSummary.levels')}
                extra={can('admin:settings') && <Link to="/admin?tab=settings">{t('serviceSummary.changeLevels')}</Link>}
              >
                <Table<ServiceSummaryQuery['caseServiceLevels'][number]>
                  size="small"
                  rowKey="priority"
                  pagination={false}
                  data-testid="service-levels"
                  dataSource={summary.data?.caseServiceLevels ?? []}
                  columns={[
                    {
                      title: t('cases.priority'),
                      key: 'priority',
                      render: (_, l) => (
                        <Tag variant="solid" color={PRIORITY_COLORS[l.priority]}>
                          {t(`casePriority.${l.priority}`)}
                        </Tag>
                      ),
                    },
                    { title: t('serviceLevels.firstResponse'), key: 'first', render: (_, l) => minutes(l.firstResponseMinutes) },
                    { title: t('serviceLevels.resolution'), key: 'resolution', render: (_, l) => minutes(l.resolutionMinutes) },
                  ]}
                />
              </Card>
            </Col>
          </Row>
        </>
      )}
    </Flex>
  );
}
