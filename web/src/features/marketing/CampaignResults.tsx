import { Alert, Card, Col, Flex, Radio, Row, Select, Statistic, Switch, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { AttributionModel, CampaignResultsQuery } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { formatMoney, formatNumber, formatPercent } from '../../lib/format';
import { EChart, type ChartOption } from '../analytics/EChart';
import { ATTRIBUTION_MODELS, funnelOf, WINDOWS } from './campaigns';

export type Results = NonNullable<CampaignResultsQuery['campaign']>['results'];

interface Props {
  results: Results;
  model: AttributionModel;
  windowDays: number;
  includeChildren: boolean;
  /** Whether the campaign has sub-campaigns (the switch shows only then). */
  programme: boolean;
  onState: (patch: { model?: AttributionModel; windowDays?: number; includeChildren?: boolean }) => void;
}

/** What a campaign brought: members reached, responses, leads, orders, attributed revenue under a model, ROI and unit costs, with charts. */
export function CampaignResults({ results: r, model, windowDays, includeChildren, programme, onState }: Props) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const money = (m: { amount: string; currency: string } | null | undefined) => formatMoney(m, language);

  const charts = useMemo(() => {
    const funnel = funnelOf(r.membersByStatus);
    const byModel: ChartOption = {
      tooltip: { trigger: 'axis' },
      grid: { left: 72, right: 16, top: 16, bottom: 32 },
      xAxis: {
        type: 'category',
        data: [...ATTRIBUTION_MODELS.map((m) => t(`attribution.${m}`)), t('campaigns.actualCost')],
      },
      yAxis: { type: 'value' },
      series: [
        {
          name: r.actualCost.currency,
          type: 'bar',
          data: [
            ...ATTRIBUTION_MODELS.map((m) => ({
              value: Number((m === 'FIRST_TOUCH' ? r.firstTouch : m === 'LAST_TOUCH' ? r.lastTouch : r.linear).amount),
              itemStyle: { color: m === model ? '#0958d9' : '#91caff' },
            })),
            { value: Number(r.actualCost.amount), itemStyle: { color: '#a8071a' } },
          ],
        },
      ],
    };
    const members: ChartOption = {
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: funnel.map((f) => t(`memberStatus.${f.status}`)), axisLabel: { rotate: 30 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: t('campaigns.members'), type: 'bar', data: funnel.map((f) => f.count) }],
    };
    return { byModel, members };
  }, [r, model, t]);

  return (
    <Flex vertical gap={16} data-testid="campaign-results">
      <Flex wrap gap={16} align="center" role="group" aria-label={t('campaigns.resultsOptions')}>
        <Radio.Group
          optionType="button"
          aria-label={t('campaigns.model')}
          value={model}
          onChange={(e) => onState({ model: e.target.value as AttributionModel })}
          options={ATTRIBUTION_MODELS.map((m) => ({ value: m, label: t(`attribution.${m}`) }))}
        />
        <Flex align="center" gap={8}>
          <Typography.Text id="campaign-window-label">{t('campaigns.window')}</Typography.Text>
          <Select
            aria-labelledby="campaign-window-label"
            value={windowDays}
            style={{ width: 120 }}
            onChange={(windowDays) => onState({ windowDays })}
            options={WINDOWS.map((d) => ({ value: d, label: t('campaigns.days', { count: d }) }))}
          />
        </Flex>
        {programme && (
          <Flex align="center" gap={8}>
            <Switch
              id="campaign-include-children"
              checked={includeChildren}
              onChange={(includeChildren) => onState({ includeChildren })}
            />
            <label htmlFor="campaign-include-children">{t('campaigns.includeChildren')}</label>
          </Flex>
        )}
      </Flex>
      <Typography.Text type="secondary">{t(`attributionHint.${model}`)}</Typography.Text>
      {r.costsWithoutRate > 0 && <Alert type="warning" showIcon message={t('campaigns.costsWithoutRate', { count: r.costsWithoutRate })} />}
      <Row gutter={[16, 16]}>
        {(
          [
            ['attributedRevenue', money(r.attributedRevenue)],
            ['roi', formatPercent(r.roi, language)],
            ['actualCost', money(r.actualCost)],
            ['plannedCost', money(r.plannedCost)],
            ['acquisitions', formatNumber(r.acquisitions, language)],
            ['costPerAcquisition', money(r.costPerAcquisition)],
            ['attributedOrders', formatNumber(r.attributedOrders, language, 2)],
            ['orders', `${formatNumber(r.orders, language)} · ${money(r.orderRevenue)}`],
            ['reached', `${formatNumber(r.reached, language)} / ${formatNumber(r.memberCount, language)}`],
            ['responses', formatNumber(r.responses, language)],
            ['leads', `${formatNumber(r.leads, language)} (${t('campaigns.convertedCount', { count: r.convertedLeads })})`],
            ['costPerLead', money(r.costPerLead)],
          ] as const
        ).map(([key, value]) => (
          <Col key={key} xs={12} md={8} xl={6}>
            <Card size="small">
              <Statistic title={t(`campaigns.result.${key}`)} value={value} valueStyle={{ fontSize: 20 }} valueRender={(v) => <span data-testid={`result-${key}`}>{v}</span>} />
            </Card>
          </Col>
        ))}
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('campaigns.revenueByModel')}>
            <EChart option={charts.byModel} label={t('campaigns.revenueByModelChart')} testId="chart-campaign-models" height={260} />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('campaigns.membersByStatus')}>
            <EChart option={charts.members} label={t('campaigns.membersByStatus')} testId="chart-campaign-members" height={260} />
          </Card>
        </Col>
      </Row>
    </Flex>
  );
}
