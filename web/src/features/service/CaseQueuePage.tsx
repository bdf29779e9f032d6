import { Button, Card, Empty, Flex, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { useQuery } from 'urql';
import { LoadError } from '../../components/PageState';
import type { CaseRowFieldsFragment } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { useAddressState } from '../../lib/addressState';
import { problemsOf } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { useSession } from '../../lib/useSession';
import {
  CASE_PRIORITIES,
  CASE_QUEUE_STATE,
  CASE_SORTS,
  CASE_STATUSES,
  caseFilter,
  PRIORITY_COLORS,
  STATUS_COLORS,
  type CaseQueueState,
  type CaseSort,
} from './cases';
import { CasesDocument } from './documents';
import { SlaBadges } from './SlaBadges';

const PAGE_SIZE = 20;

export default function CaseQueuePage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const session = useSession();
  const language = currentLanguage();
  const [state, changeState] = useAddressState(CASE_QUEUE_STATE);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const change = (patch: Partial<CaseQueueState>) => {
    setCursors([null]);
    changeState(patch);
  };
  const me = session?.user.id;
  const variables = useMemo(
    () => ({ first: PAGE_SIZE, after, filter: caseFilter(state, me), orderBy: [...CASE_SORTS[state.sort]] }),
    [state, after, me],
  );
  const [list, reexecute] = useQuery({ query: CasesDocument, variables, requestPolicy: 'cache-and-network' });
  const rows = list.data?.cases.edges.map((e) => e.node) ?? [];
  const total = list.data?.cases.totalCount ?? 0;
  const filtered = state.view !== 'all' || state.statuses.length > 0 || state.priorities.length > 0 || state.owner !== 'any';

  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {t('cases.title')}
      </Typography.Title>
      <Card>
        <Flex wrap gap={8} align="center" role="group" aria-label={t('customers.filters')}>
          <Segmented
            aria-label={t('cases.view')}
            value={state.view}
            onChange={(v) => change({ view: v as CaseQueueState['view'] })}
            options={(['open', 'overdue', 'all'] as const).map((v) => ({ value: v, label: t(`cases.views.${v}`) }))}
          />
          <Select
            mode="multiple"
            allowClear
            aria-label={t('cases.status')}
            placeholder={t('cases.anyStatus')}
            style={{ minWidth: 200 }}
            value={state.statuses}
            onChange={(statuses) => change({ statuses })}
            options={CASE_STATUSES.map((s) => ({ value: s, label: t(`caseStatus.${s}`) }))}
          />
          <Select
            mode="multiple"
            allowClear
            aria-label={t('cases.priority')}
            placeholder={t('cases.anyPriority')}
            style={{ minWidth: 180 }}
            value={state.priorities}
            onChange={(priorities) => change({ priorities })}
            options={CASE_PRIORITIES.map((p) => ({ value: p, label: t(`casePriority.${p}`) }))}
          />
          <Select
            aria-label={t('cases.owner')}
            style={{ minWidth: 150 }}
            value={state.owner}
            onChange={(owner) => change({ owner })}
            options={(['any', 'me', 'unassigned'] as const).map((o) => ({ value: o, label: t(`cases.owners.${o}`) }))}
          />
          <Select
            aria-label={t('cases.sort')}
            style={{ minWidth: 190 }}
            value={state.sort}
            onChange={(sort: CaseSort) => change({ sort })}
            options={(Object.keys(CASE_SORTS) as CaseSort[]).map((s) => ({ value: s, label: t(`cases.sorts.${s}`) }))}
          />
        </Flex>
      </Card>
      <Card styles={{ body: { padding: 0 } }}>
        {list.error && !list.data ? (
          <LoadError problems={problemsOf(list.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
        ) : (
          <Table<CaseRowFieldsFragment>
            rowKey="id"
            dataSource={rows}
            loading={list.fetching && !list.data}
            pagination={false}
            scroll={{ x: 1000 }}
            onRow={(c) => ({ onDoubleClick: () => navigate(`/cases/${c.id}`) })}
            locale={{
              emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={filtered ? t('cases.emptyFiltered') : t('cases.empty')} />,
            }}
            columns={[
              { title: t('cases.number'), dataIndex: 'number', width: 80, render: (n: number) => `#${n}` },
              {
                title: t('cases.subject'),
                key: 'subject',
                render: (_, c) => (
                  <Space direction="vertical" size={0}>
                    <Link to={`/cases/${c.id}`}>{c.subject}</Link>
                    {c.customer && (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {c.customer.name}
                      </Typography.Text>
                    )}
                  </Space>
                ),
              },
              {
                title: t('cases.status'),
                dataIndex: 'status',
                render: (s: CaseRowFieldsFragment['status']) => (
                  <Tag variant="solid" color={STATUS_COLORS[s]} data-testid="case-status">
                    {t(`caseStatus.${s}`)}
                  </Tag>
                ),
              },
              {
                title: t('cases.priority'),
                dataIndex: 'priority',
                render: (p: CaseRowFieldsFragment['priority']) => <Tag variant="solid" color={PRIORITY_COLORS[p]}>{t(`casePriority.${p}`)}</Tag>,
              },
              {
                title: t('cases.owner'),
                key: 'owner',
                render: (_, c) => (c.owner ? c.owner.displayName || c.owner.email || t('cases.someone') : t('cases.unassigned')),
              },
              {
                title: t('cases.due'),
                key: 'due',
                render: (_, c) => (
                  <Space direction="vertical" size={2}>
                    <span>{c.isOpen ? formatDateTime(c.resolutionDueAt, language) : '—'}</span>
                    <span>
                      <SlaBadges {...c} />
                    </span>
                  </Space>
                ),
              },
              { title: t('customers.created'), dataIndex: 'createdAt', render: (v: string) => formatDateTime(v, language) },
            ]}
          />
        )}
        {total > 0 && (
          <Flex justify="space-between" align="center" style={{ padding: 16 }} wrap gap={8}>
            <Typography.Text type="secondary" data-testid="case-total">
              {t('common.total', { count: total })}
            </Typography.Text>
            <Space>
              <Button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
                {t('common.previous')}
              </Button>
              <Typography.Text>{t('common.pageOf', { page: cursors.length, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) })}</Typography.Text>
              <Button
                disabled={!list.data?.cases.pageInfo.hasNextPage}
                onClick={() => setCursors([...cursors, list.data?.cases.pageInfo.endCursor ?? null])}
              >
                {t('common.next')}
              </Button>
            </Space>
          </Flex>
        )}
      </Card>
    </Flex>
  );
}
