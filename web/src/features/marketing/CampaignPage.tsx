import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import {
  App,
  Breadcrumb,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Flex,
  Modal,
  Popconfirm,
  Progress,
  Row,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useMutation, useQuery } from 'urql';
import { ConfirmDeleteButton } from '../../components/ConfirmDeleteButton';
import { Loading, LoadError, NotFound } from '../../components/PageState';
import type { CampaignMemberStatus, CampaignRowFieldsFragment, CampaignStatus } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { useAddressState } from '../../lib/addressState';
import { problemsOf } from '../../lib/errors';
import { formatDate, formatDateTime, formatMoney, formatNumber, formatPercent } from '../../lib/format';
import { usePermissions } from '../../lib/permissions';
import { CampaignAudience } from './CampaignAudience';
import { CampaignCosts } from './CampaignCosts';
import { CampaignForm } from './CampaignForm';
import { CampaignResults } from './CampaignResults';
import { CAMPAIGN_PAGE_STATE, costTotals, nextStatuses, shareOf, STATUS_COLORS } from './campaigns';
import { CampaignDocument, CampaignResultsDocument, ChangeCampaignStatusDocument, DeleteCampaignDocument } from './documents';

const day = (d: string | null | undefined, language: string) => (d ? formatDate(`${d}T12:00:00Z`, language) : '—');
/** A campaign's dates as a range; a dash alone when it has neither. */
const schedule = (c: { startsOn?: string | null; endsOn?: string | null }, language: string) =>
  c.startsOn || c.endsOn ? `${day(c.startsOn, language)} – ${day(c.endsOn, language)}` : '—';

/** A campaign: its plan against what it cost and brought, its audience and members, cost lines, results and sub-campaigns. */
export default function CampaignPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const language = currentLanguage();
  const { can } = usePermissions();
  const [state, changeState] = useAddressState(CAMPAIGN_PAGE_STATE);
  const [dialog, setDialog] = useState<'edit' | 'child' | null>(null);
  const [tab, setTab] = useState('audience');

  const [campaign, reload] = useQuery({ query: CampaignDocument, variables: { id }, requestPolicy: 'cache-and-network' });
  const readsResults = can('orders:read');
  const [results, reloadResults] = useQuery({
    query: CampaignResultsDocument,
    variables: { id, includeChildren: state.includeChildren, windowDays: state.windowDays, model: state.model },
    pause: !readsResults,
    requestPolicy: 'cache-and-network',
  });
  const [{ fetching: moving }, changeStatus] = useMutation(ChangeCampaignStatusDocument);
  const [, deleteCampaign] = useMutation(DeleteCampaignDocument);

  if (campaign.fetching && !campaign.data) return <Loading />;
  if (campaign.error && !campaign.data)
    return <LoadError problems={problemsOf(campaign.error)} onRetry={() => reload({ requestPolicy: 'network-only' })} />;
  const c = campaign.data?.campaign;
  if (!c) return <NotFound title={t('campaigns.notFound')} backTo="/campaigns" backLabel={t('campaigns.back')} />;

  const writable = can('marketing:write');
  const r = results.data?.campaign?.results ?? null;
  const counts = r ? new Map<CampaignMemberStatus, number>(r.membersByStatus.map((x) => [x.status, x.count])) : null;
  const reloadAll = () => {
    reload({ requestPolicy: 'network-only' });
    if (readsResults) reloadResults({ requestPolicy: 'network-only' });
  };

  const move = async (status: CampaignStatus) => {
    const result = await changeStatus({ input: { id: c.id, version: c.version, status } });
    if (!result.data) {
      problemsOf(result.error).forEach((p) => void message.error(p.message));
      reloadAll();
      return;
    }
    void message.success(t('campaigns.statusChanged', { status: t(`campaignStatus.${status}`) }));
    reloadAll();
  };
  const doDelete = async () => {
    const result = await deleteCampaign({ id: c.id });
    if (!result.data?.deleteCampaign) return problemsOf(result.error).forEach((p) => void message.error(p.message));
    void message.success(t('campaigns.deleted', { name: c.name }));
    navigate('/campaigns');
  };

  // Budget against the actual cost lines in the budget's currency (the results convert every line to the base currency).
  const actual = costTotals(c.costs).ACTUAL;
  const spent = c.budget ? (actual.find((m) => m.currency === c.budget?.currency) ?? { amount: '0', currency: c.budget.currency }) : null;
  const spentShare = shareOf(spent, c.budget);
  const revenueShare = r ? shareOf(r.attributedRevenue, c.expectedRevenue) : null;
  const responseShare = r && c.expectedResponses ? r.responses / c.expectedResponses : null;

  const statusButtons = writable
    ? nextStatuses(c.status).map((s) =>
        s === 'CANCELLED' ? (
          <Popconfirm
            key={s}
            title={t('campaigns.cancelConfirm', { name: c.name })}
            okText={t('campaigns.action.CANCELLED')}
            okButtonProps={{ danger: true }}
            cancelText={t('common.cancel')}
            onConfirm={() => move(s)}
          >
            <Button danger loading={moving}>
              {t('campaigns.action.CANCELLED')}
            </Button>
          </Popconfirm>
        ) : (
          <Button key={s} type="primary" loading={moving} onClick={() => void move(s)}>
            {t(`campaigns.action.${s}`)}
          </Button>
        ),
      )
    : [];

  return (
    <Flex vertical gap={16}>
      <Breadcrumb
        items={[
          { title: <Link to="/campaigns">{t('campaigns.title')}</Link> },
          ...(c.parent ? [{ title: <Link to={`/campaigns/${c.parent.id}`}>{c.parent.name}</Link> }] : []),
          { title: c.name },
        ]}
      />
      <Card>
        <Flex justify="space-between" align="start" wrap gap={12}>
          <Space direction="vertical" size={4}>
            <Typography.Title level={1} style={{ fontSize: 26, margin: 0 }} data-testid="campaign-name">
              {c.name}
            </Typography.Title>
            <Space wrap size={4}>
              <Tag variant="solid" color={STATUS_COLORS[c.status]} data-testid="campaign-status">
                {t(`campaignStatus.${c.status}`)}
              </Tag>
              <Tag>{t(`campaignKind.${c.kind}`)}</Tag>
              <Typography.Text type="secondary">{t('campaigns.codeIs', { code: c.code })}</Typography.Text>
            </Space>
            {c.objective && <Typography.Paragraph style={{ margin: 0 }}>{c.objective}</Typography.Paragraph>}
          </Space>
          <Space wrap>
            {statusButtons}
            {writable && (
              <Button icon={<EditOutlined />} onClick={() => setDialog('edit')}>
                {t('common.edit')}
              </Button>
            )}
            {writable && (
              <ConfirmDeleteButton confirm={t('campaigns.deleteConfirm', { name: c.name })} label={t('campaigns.delete')} onConfirm={doDelete} />
            )}
          </Space>
        </Flex>
      </Card>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={8}>
          <Card title={t('c360.details')} size="small" style={{ height: '100%' }}>
            <Descriptions
              column={1}
              size="small"
              items={[
                { key: 'owner', label: t('campaigns.owner'), children: c.owner ? c.owner.displayName || c.owner.email : '—' },
                {
                  key: 'programme',
                  label: t('campaigns.programme'),
                  children: c.parent ? <Link to={`/campaigns/${c.parent.id}`}>{c.parent.name}</Link> : t('campaigns.noProgramme'),
                },
                { key: 'dates', label: t('campaigns.schedule'), children: schedule(c, language) },
                { key: 'started', label: t('campaigns.startedAt'), children: formatDateTime(c.startedAt, language) },
                { key: 'completed', label: t('campaigns.completedAt'), children: formatDateTime(c.completedAt, language) },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={16}>
          <Card title={t('campaigns.overview')} size="small" style={{ height: '100%' }}>
            <Row gutter={[16, 16]}>
              <Col xs={24} md={8}>
                <Statistic
                  title={t('campaigns.budgetUse')}
                  value={c.budget ? `${formatMoney(spent, language)} / ${formatMoney(c.budget, language)}` : t('campaigns.noBudget')}
                  valueStyle={{ fontSize: 18 }}
                  valueRender={(v) => <span data-testid="overview-budget">{v}</span>}
                />
                {spentShare !== null && (
                  <Progress
                    percent={Math.round(spentShare * 100)}
                    status={spentShare > 1 ? 'exception' : 'normal'}
                    aria-label={t('campaigns.budgetUse')}
                  />
                )}
              </Col>
              <Col xs={24} md={8}>
                <Statistic
                  title={t('campaigns.responsesVsExpected')}
                  value={r ? `${formatNumber(r.responses, language)} / ${c.expectedResponses !== null && c.expectedResponses !== undefined ? formatNumber(c.expectedResponses, language) : '—'}` : '—'}
                  valueStyle={{ fontSize: 18 }}
                  valueRender={(v) => <span data-testid="overview-responses">{v}</span>}
                />
                {responseShare !== null && <Progress percent={Math.round(responseShare * 100)} aria-label={t('campaigns.responsesVsExpected')} />}
              </Col>
              <Col xs={24} md={8}>
                <Statistic
                  title={t('campaigns.revenueVsExpected')}
                  value={r ? `${formatMoney(r.attributedRevenue, language)} / ${formatMoney(c.expectedRevenue, language)}` : '—'}
                  valueStyle={{ fontSize: 18 }}
                  valueRender={(v) => <span data-testid="overview-revenue">{v}</span>}
                />
                {revenueShare !== null && <Progress percent={Math.round(revenueShare * 100)} aria-label={t('campaigns.revenueVsExpected')} />}
              </Col>
            </Row>
            {r && (
              <Typography.Paragraph type="secondary" style={{ margin: '12px 0 0' }}>
                {t('campaigns.overviewHint', { model: t(`attribution.${state.model}`), days: state.windowDays, roi: formatPercent(r.roi, language) })}
              </Typography.Paragraph>
            )}
          </Card>
        </Col>
      </Row>

      <Card>
        <Tabs
          activeKey={tab}
          onChange={setTab}
          items={[
            {
              key: 'audience',
              label: t('campaigns.audienceTab'),
              children: (
                <CampaignAudience
                  campaign={c}
                  writable={writable}
                  status={state.status}
                  pageSize={state.pageSize}
                  onState={changeState}
                  counts={counts}
                  onChanged={reloadAll}
                />
              ),
            },
            { key: 'costs', label: t('campaigns.costs'), children: <CampaignCosts campaign={c} writable={writable} onChanged={reloadAll} /> },
            ...(readsResults
              ? [
                  {
                    key: 'results',
                    label: t('campaigns.results'),
                    children: r ? (
                      <CampaignResults
                        results={r}
                        model={state.model}
                        windowDays={state.windowDays}
                        includeChildren={state.includeChildren}
                        programme={c.children.length > 0}
                        onState={changeState}
                      />
                    ) : results.error ? (
                      <LoadError problems={problemsOf(results.error)} onRetry={() => reloadResults({ requestPolicy: 'network-only' })} />
                    ) : (
                      <Loading />
                    ),
                  },
                ]
              : []),
            {
              key: 'children',
              label: t('campaigns.childrenTab', { count: c.children.length }),
              children: (
                <ChildCampaigns
                  rows={c.children}
                  onNew={writable ? () => setDialog('child') : undefined}
                  language={language}
                />
              ),
            },
          ]}
        />
      </Card>

      <Modal open={dialog === 'edit'} title={t('campaigns.edit')} footer={null} maskClosable={false} destroyOnHidden width={820} onCancel={() => setDialog(null)}>
        <CampaignForm
          key={c.version}
          campaign={c}
          onCancel={() => setDialog(null)}
          onReload={() => reload({ requestPolicy: 'network-only' })}
          onSaved={() => {
            setDialog(null);
            void message.success(t('campaigns.saved'));
            reloadAll();
          }}
        />
      </Modal>
      <Modal open={dialog === 'child'} title={t('campaigns.newChild', { name: c.name })} footer={null} maskClosable={false} destroyOnHidden width={820} onCancel={() => setDialog(null)}>
        <CampaignForm
          parent={{ id: c.id, name: c.name }}
          onCancel={() => setDialog(null)}
          onSaved={(child) => {
            setDialog(null);
            void message.success(t('campaigns.createdOk', { name: child.name }));
            navigate(`/campaigns/${child.id}`);
          }}
        />
      </Modal>
    </Flex>
  );
}

/** A programme's campaigns, by name. */
function ChildCampaigns({ rows, onNew, language }: { rows: CampaignRowFieldsFragment[]; onNew?: () => void; language: string }) {
  const { t } = useTranslation();
  return (
    <Flex vertical gap={12}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Text type="secondary">{t('campaigns.childrenHint')}</Typography.Text>
        {onNew && (
          <Button icon={<PlusOutlined />} onClick={onNew}>
            {t('campaigns.addChild')}
          </Button>
        )}
      </Flex>
      <Table<CampaignRowFieldsFragment>
        rowKey="id"
        size="small"
        dataSource={rows}
        pagination={false}
        data-testid="campaign-children"
        columns={[
          { title: t('campaigns.name'), key: 'name', render: (_, x) => <Link to={`/campaigns/${x.id}`}>{x.name}</Link> },
          {
            title: t('campaigns.status'),
            key: 'status',
            render: (_, x) => (
              <Tag variant="solid" color={STATUS_COLORS[x.status]}>
                {t(`campaignStatus.${x.status}`)}
              </Tag>
            ),
          },
          { title: t('campaigns.kind'), key: 'kind', render: (_, x) => t(`campaignKind.${x.kind}`) },
          { title: t('campaigns.schedule'), key: 'dates', render: (_, x) => schedule(x, language) },
          { title: t('campaigns.budget'), key: 'budget', align: 'right', render: (_, x) => formatMoney(x.budget, language) },
        ]}
        locale={{ emptyText: <Empty description={t('campaigns.noChildren')} image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
      />
    </Flex>
  );
}
