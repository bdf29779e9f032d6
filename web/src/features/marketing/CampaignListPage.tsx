import { App, Card, Checkbox, Empty, Flex, Modal, Select, Table, Tag, Typography } from 'antd';
import type { SortOrder } from 'antd/es/table/interface';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { useQuery } from 'urql';
import { FilterInput } from '../../components/FilterInput';
import { KeysetPager } from '../../components/KeysetPager';
import { ListPageHeader } from '../../components/ListPageHeader';
import { LoadError } from '../../components/PageState';
import type { CampaignKind, CampaignRowFieldsFragment, CampaignsResultsQuery, CampaignStatus } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { useAddressState } from '../../lib/addressState';
import { problemsOf } from '../../lib/errors';
import { formatDate, formatMoney, formatNumber, formatPercent } from '../../lib/format';
import { usePermissions } from '../../lib/permissions';
import { PAGE_SIZES } from '../customers/listState';
import { MembersDocument } from '../sales/documents';
import { CampaignForm } from './CampaignForm';
import {
  CAMPAIGN_KINDS,
  CAMPAIGN_SORTS,
  CAMPAIGN_STATUSES,
  campaignFilterOf,
  campaignSortOf,
  CAMPAIGNS_STATE,
  STATUS_COLORS,
  type CampaignSortKey,
  type CampaignsState,
} from './campaigns';
import { CampaignsDocument, CampaignsResultsDocument } from './documents';

type CampaignListResults = CampaignsResultsQuery['campaigns']['edges'][number]['node']['results'];

/** The workspace's campaigns: filtered by name, status, kind and owner, sorted, in keyset pages, optionally with their results side by side. */
export default function CampaignListPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const language = currentLanguage();
  const { can } = usePermissions();
  const [state, changeState] = useAddressState(CAMPAIGNS_STATE);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [creating, setCreating] = useState(false);
  const [members] = useQuery({ query: MembersDocument });
  const change = (patch: Partial<CampaignsState>) => {
    setCursors([null]);
    changeState(patch);
  };
  const variables = useMemo(
    () => ({ first: state.pageSize, after: cursors[cursors.length - 1], filter: campaignFilterOf(state), orderBy: [CAMPAIGN_SORTS[state.sort]] }),
    [state, cursors],
  );
  const [campaigns, reexecute] = useQuery({ query: CampaignsDocument, variables, requestPolicy: 'cache-and-network' });
  // Results are costly to count: asked only when shown, for the page shown.
  const comparing = state.results && can('orders:read');
  const [compared] = useQuery({ query: CampaignsResultsDocument, variables, pause: !comparing, requestPolicy: 'cache-and-network' });
  const resultsOf = new Map((compared.data?.campaigns.edges ?? []).map((e) => [e.node.id, e.node.results]));
  const rows = campaigns.data?.campaigns.edges.map((e) => e.node) ?? [];
  const total = campaigns.data?.campaigns.totalCount ?? 0;
  const filtered = campaignFilterOf(state) !== null;
  const sortOrder = (asc: CampaignSortKey, desc: CampaignSortKey): SortOrder => (state.sort === asc ? 'ascend' : state.sort === desc ? 'descend' : null);

  return (
    <Flex vertical gap={16}>
      <ListPageHeader title={t('campaigns.title')} newLabel={t('campaigns.new')} onNew={can('marketing:write') ? () => setCreating(true) : undefined} />
      <Card>
        <Flex wrap gap={8} align="center" role="group" aria-label={t('customers.filters')}>
          <FilterInput label={t('campaigns.nameFilter')} value={state.name} width={200} onCommit={(name) => change({ name })} />
          <Select<CampaignStatus[]>
            mode="multiple"
            allowClear
            aria-label={t('campaigns.status')}
            data-testid="filter-campaign-status"
            placeholder={t('campaigns.anyStatus')}
            style={{ minWidth: 180 }}
            value={state.statuses}
            onChange={(statuses) => change({ statuses })}
            options={CAMPAIGN_STATUSES.map((s) => ({ value: s, label: t(`campaignStatus.${s}`) }))}
          />
          <Select<CampaignKind[]>
            mode="multiple"
            allowClear
            aria-label={t('campaigns.kind')}
            data-testid="filter-campaign-kind"
            placeholder={t('campaigns.anyKind')}
            style={{ minWidth: 180 }}
            value={state.kinds}
            onChange={(kinds) => change({ kinds })}
            options={CAMPAIGN_KINDS.map((k) => ({ value: k, label: t(`campaignKind.${k}`) }))}
          />
          <Select
            allowClear
            aria-label={t('campaigns.owner')}
            data-testid="filter-campaign-owner"
            placeholder={t('campaigns.anyOwner')}
            style={{ minWidth: 180 }}
            value={state.owner || undefined}
            onChange={(owner) => change({ owner: owner ?? '' })}
            options={(members.data?.members ?? []).map((m) => ({ value: m.user.id, label: m.user.displayName || m.user.email }))}
          />
          <Checkbox checked={state.topLevel} onChange={(e) => change({ topLevel: e.target.checked })}>
            {t('campaigns.topLevelOnly')}
          </Checkbox>
          {can('orders:read') && (
            <Checkbox checked={state.results} onChange={(e) => changeState({ results: e.target.checked })}>
              {t('campaigns.compareResults')}
            </Checkbox>
          )}
        </Flex>
      </Card>
      <Card styles={{ body: { padding: 0 } }}>
        {campaigns.error && !campaigns.data ? (
          <LoadError problems={problemsOf(campaigns.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
        ) : (
          <Table<CampaignRowFieldsFragment>
            rowKey="id"
            dataSource={rows}
            loading={campaigns.fetching && !campaigns.data}
            pagination={false}
            scroll={{ x: comparing ? 1300 : 900 }}
            onChange={(_p, _f, sorter) => {
              const s = Array.isArray(sorter) ? sorter[0] : sorter;
              change({ sort: campaignSortOf(String(s.columnKey), s.order) });
            }}
            columns={[
              {
                title: t('campaigns.name'),
                key: 'name',
                sorter: true,
                sortOrder: sortOrder('name-asc', 'name-desc'),
                render: (_, c) => (
                  <Flex vertical>
                    <Link to={`/campaigns/${c.id}`}>{c.name}</Link>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {c.code}
                    </Typography.Text>
                  </Flex>
                ),
              },
              {
                title: t('campaigns.status'),
                key: 'status',
                render: (_, c) => (
                  <Tag variant="solid" color={STATUS_COLORS[c.status]}>
                    {t(`campaignStatus.${c.status}`)}
                  </Tag>
                ),
              },
              { title: t('campaigns.kind'), key: 'kind', render: (_, c) => t(`campaignKind.${c.kind}`) },
              { title: t('campaigns.owner'), key: 'owner', render: (_, c) => (c.owner ? c.owner.displayName || c.owner.email : '—') },
              {
                title: t('campaigns.startsOn'),
                key: 'starts',
                sorter: true,
                sortOrder: sortOrder('starts-asc', 'starts-desc'),
                render: (_, c) => (c.startsOn ? formatDate(`${c.startsOn}T12:00:00Z`, language) : '—'),
              },
              { title: t('campaigns.endsOn'), key: 'ends', render: (_, c) => (c.endsOn ? formatDate(`${c.endsOn}T12:00:00Z`, language) : '—') },
              { title: t('campaigns.budget'), key: 'budget', align: 'right', render: (_, c) => formatMoney(c.budget, language) },
              ...(comparing
                ? (
                    [
                      ['responses', (r) => formatNumber(r.responses, language)],
                      ['actualCost', (r) => formatMoney(r.actualCost, language)],
                      ['attributedRevenue', (r) => formatMoney(r.attributedRevenue, language)],
                      ['roi', (r) => formatPercent(r.roi, language)],
                    ] as [string, (r: CampaignListResults) => string][]
                  ).map(([key, show]) => ({
                    title: t(`campaigns.result.${key}`),
                    key,
                    align: 'right' as const,
                    render: (_: unknown, c: CampaignRowFieldsFragment) => {
                      const r = resultsOf.get(c.id);
                      return <span data-testid={`list-${key}`}>{r ? show(r) : compared.fetching ? '…' : '—'}</span>;
                    },
                  }))
                : []),
              {
                title: t('campaigns.created'),
                key: 'created',
                sorter: true,
                sortOrder: sortOrder('created-asc', 'created-desc'),
                render: (_, c) => formatDate(c.createdAt, language),
              },
            ]}
            locale={{
              emptyText: <Empty description={filtered ? t('campaigns.emptyFiltered') : t('campaigns.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} />,
            }}
          />
        )}
        {total > 0 && (
          <KeysetPager
            testId="campaign-total"
            total={total}
            pageSize={state.pageSize}
            pageSizes={PAGE_SIZES}
            onPageSize={(pageSize) => change({ pageSize })}
            cursors={cursors}
            onCursors={setCursors}
            hasNextPage={!!campaigns.data?.campaigns.pageInfo.hasNextPage}
            endCursor={campaigns.data?.campaigns.pageInfo.endCursor}
          />
        )}
      </Card>
      <Modal open={creating} title={t('campaigns.new')} footer={null} maskClosable={false} destroyOnHidden width={820} onCancel={() => setCreating(false)}>
        <CampaignForm
          onCancel={() => setCreating(false)}
          onSaved={(c) => {
            setCreating(false);
            void message.success(t('campaigns.createdOk', { name: c.name }));
            navigate(`/campaigns/${c.id}`);
          }}
        />
      </Modal>
    </Flex>
  );
}
