import { App, Card, Empty, Flex, Modal, Select, Table, Tag, Typography } from 'antd';
import type { SortOrder } from 'antd/es/table/interface';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { useQuery } from 'urql';
import { FilterInput } from '../../components/FilterInput';
import { KeysetPager } from '../../components/KeysetPager';
import { ListPageHeader } from '../../components/ListPageHeader';
import { LoadError } from '../../components/PageState';
import type { SegmentRowFieldsFragment } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { useAddressState } from '../../lib/addressState';
import { problemsOf } from '../../lib/errors';
import { formatDate, formatNumber } from '../../lib/format';
import { usePermissions } from '../../lib/permissions';
import { PAGE_SIZES } from '../customers/listState';
import { SegmentsDocument } from './documents';
import { SegmentForm } from './SegmentForm';
import {
  KIND_COLORS,
  SEGMENT_KINDS,
  SEGMENT_SORTS,
  segmentFilterOf,
  segmentSortOf,
  SEGMENTS_STATE,
  type SegmentSortKey,
  type SegmentsState,
} from './segments';

/** The workspace's marketing segments: filtered by name and kind, sorted, in keyset pages. */
export default function SegmentListPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const language = currentLanguage();
  const { can } = usePermissions();
  const [state, changeState] = useAddressState(SEGMENTS_STATE);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [creating, setCreating] = useState(false);
  const change = (patch: Partial<SegmentsState>) => {
    setCursors([null]);
    changeState(patch);
  };
  const variables = useMemo(
    () => ({ first: state.pageSize, after: cursors[cursors.length - 1], filter: segmentFilterOf(state), orderBy: [SEGMENT_SORTS[state.sort]] }),
    [state, cursors],
  );
  const [segments, reexecute] = useQuery({ query: SegmentsDocument, variables, requestPolicy: 'cache-and-network' });
  const rows = segments.data?.segments.edges.map((e) => e.node) ?? [];
  const total = segments.data?.segments.totalCount ?? 0;
  const filtered = segmentFilterOf(state) !== null;
  const sortOrder = (asc: SegmentSortKey, desc: SegmentSortKey): SortOrder => (state.sort === asc ? 'ascend' : state.sort === desc ? 'descend' : null);

  return (
    <Flex vertical gap={16}>
      <ListPageHeader title={t('segments.title')} newLabel={t('segments.new')} onNew={can('marketing:write') ? () => setCreating(true) : undefined} />
      <Card>
        <Flex wrap gap={8} align="center" role="group" aria-label={t('customers.filters')}>
          <FilterInput label={t('segments.nameFilter')} value={state.name} width={220} onCommit={(name) => change({ name })} />
          <Select
            allowClear
            aria-label={t('segments.kind')}
            data-testid="filter-segment-kind"
            placeholder={t('segments.anyKind')}
            style={{ minWidth: 160 }}
            value={state.kind || undefined}
            onChange={(kind) => change({ kind: kind ?? '' })}
            options={SEGMENT_KINDS.map((k) => ({ value: k, label: t(`segmentKind.${k}`) }))}
          />
        </Flex>
      </Card>
      <Card styles={{ body: { padding: 0 } }}>
        {segments.error && !segments.data ? (
          <LoadError problems={problemsOf(segments.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
        ) : (
          <Table<SegmentRowFieldsFragment>
            rowKey="id"
            dataSource={rows}
            loading={segments.fetching && !segments.data}
            pagination={false}
            scroll={{ x: 800 }}
            onChange={(_p, _f, sorter) => {
              const s = Array.isArray(sorter) ? sorter[0] : sorter;
              change({ sort: segmentSortOf(String(s.columnKey), s.order) });
            }}
            columns={[
              {
                title: t('segments.name'),
                key: 'name',
                sorter: true,
                sortOrder: sortOrder('name-asc', 'name-desc'),
                render: (_, s) => (
                  <Flex vertical>
                    <Link to={`/segments/${s.id}`}>{s.name}</Link>
                    {s.description && (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis={{ tooltip: s.description }}>
                        {s.description}
                      </Typography.Text>
                    )}
                  </Flex>
                ),
              },
              {
                title: t('segments.kind'),
                key: 'kind',
                render: (_, s) => (
                  <Tag variant="solid" color={KIND_COLORS[s.kind]}>
                    {t(`segmentKind.${s.kind}`)}
                  </Tag>
                ),
              },
              {
                title: t('segments.members'),
                key: 'members',
                align: 'right',
                render: (_, s) => <span data-testid="segment-member-count">{formatNumber(s.memberCount, language)}</span>,
              },
              { title: t('segments.owner'), key: 'owner', render: (_, s) => (s.owner ? s.owner.displayName || s.owner.email : '—') },
              {
                title: t('segments.updated'),
                key: 'updated',
                sorter: true,
                sortOrder: sortOrder('updated-asc', 'updated-desc'),
                render: (_, s) => formatDate(s.updatedAt, language),
              },
              {
                title: t('segments.created'),
                key: 'created',
                sorter: true,
                sortOrder: sortOrder('created-asc', 'created-desc'),
                render: (_, s) => formatDate(s.createdAt, language),
              },
            ]}
            locale={{
              emptyText: <Empty description={filtered ? t('segments.emptyFiltered') : t('segments.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} />,
            }}
          />
        )}
        {total > 0 && (
          <KeysetPager
            testId="segment-total"
            total={total}
            pageSize={state.pageSize}
            pageSizes={PAGE_SIZES}
            onPageSize={(pageSize) => change({ pageSize })}
            cursors={cursors}
            onCursors={setCursors}
            hasNextPage={!!segments.data?.segments.pageInfo.hasNextPage}
            endCursor={segments.data?.segments.pageInfo.endCursor}
          />
        )}
      </Card>
      <Modal open={creating} title={t('segments.new')} footer={null} maskClosable={false} destroyOnHidden width={800} onCancel={() => setCreating(false)}>
        <SegmentForm
          onCancel={() => setCreating(false)}
          onSaved={(s) => {
            setCreating(false);
            void message.success(t('segments.createdOk', { name: s.name }));
            navigate(`/segments/${s.id}`);
          }}
        />
      </Modal>
    </Flex>
  );
}
