import { DownloadOutlined, EditOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
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
  Row,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useMutation, useQuery } from 'urql';
import { KeysetPager } from '../../components/KeysetPager';
import { ConfirmDeleteButton } from '../../components/ConfirmDeleteButton';
import { Loading, LoadError, NotFound } from '../../components/PageState';
import type { CustomerRowFieldsFragment } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { useAddressState } from '../../lib/addressState';
import { problemsOf } from '../../lib/errors';
import { formatDate, formatDateTime, formatNumber } from '../../lib/format';
import { usePermissions } from '../../lib/permissions';
import { useSession } from '../../lib/useSession';
import { EChart, type ChartOption } from '../analytics/EChart';
import { sortOfTable, useCustomerColumns } from '../customers/customerColumns';
import { downloadCustomers } from '../customers/importExport';
import { loadColumns } from '../customers/listPrefs';
import { filterStateOf, PAGE_SIZES, SORTS } from '../customers/listState';
import { DeleteSegmentDocument, RemoveSegmentMembersDocument, SegmentDocument, SegmentMembersDocument, SegmentSizesDocument } from './documents';
import { AddMembersDialog, ImportMembersDialog } from './MemberDialogs';
import { SegmentForm } from './SegmentForm';
import { conditionsOf, KIND_COLORS, MEMBERS_STATE, membersFilter, type MembersState } from './segments';

const DAYS = 30;

/** A segment: its details and conditions, its size over time, and its members (a static list's changed by hand or from a file). */
export default function SegmentPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const language = currentLanguage();
  const { can } = usePermissions();
  const userId = useSession()?.user.id ?? 'anonymous';
  const [state, changeState] = useAddressState(MEMBERS_STATE);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [selected, setSelected] = useState<string[]>([]);
  const [dialog, setDialog] = useState<'edit' | 'add' | 'import' | null>(null);
  const [exporting, setExporting] = useState(false);
  const change = (patch: Partial<MembersState>) => {
    setCursors([null]);
    setSelected([]);
    changeState(patch);
  };

  const [segment, reload] = useQuery({ query: SegmentDocument, variables: { id }, requestPolicy: 'cache-and-network' });
  const [sizes, reloadSizes] = useQuery({ query: SegmentSizesDocument, variables: { id, days: DAYS }, requestPolicy: 'cache-and-network' });
  const variables = useMemo(
    () => ({ id, first: state.pageSize, after: cursors[cursors.length - 1], orderBy: [SORTS[state.sort]] }),
    [id, state, cursors],
  );
  const [members, reloadMembers] = useQuery({ query: SegmentMembersDocument, variables, requestPolicy: 'cache-and-network' });
  const [{ fetching: removing }, remove] = useMutation(RemoveSegmentMembersDocument);
  const [, deleteSegment] = useMutation(DeleteSegmentDocument);
  // The columns the user chose for the customer list.
  const [shown] = useState(() => loadColumns(userId));
  const { columns } = useCustomerColumns({ shown, sort: state.sort });

  const history = sizes.data?.segment?.sizeHistory;
  const chart = useMemo<ChartOption | null>(() => {
    if (!history?.length) return null;
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: history.map((s) => formatDate(`${s.day}T12:00:00Z`, language)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: t('segments.members'), type: 'line', data: history.map((s) => s.size) }],
    };
  }, [history, language, t]);

  if (segment.fetching && !segment.data) return <Loading />;
  if (segment.error && !segment.data)
    return <LoadError problems={problemsOf(segment.error)} onRetry={() => reload({ requestPolicy: 'network-only' })} />;
  const s = segment.data?.segment;
  if (!s) return <NotFound title={t('segments.notFound')} backTo="/segments" backLabel={t('segments.back')} />;

  const writable = can('marketing:write');
  const manual = writable && s.kind === 'STATIC';
  const rows: CustomerRowFieldsFragment[] = members.data?.segment?.members.edges.map((e) => e.node) ?? [];
  const connection = members.data?.segment?.members;
  const conditions = s.kind === 'DYNAMIC' ? filterStateOf(s.filter) : null;
  const reloadAll = () => {
    reload({ requestPolicy: 'network-only' });
    reloadSizes({ requestPolicy: 'network-only' });
    reloadMembers({ requestPolicy: 'network-only' });
  };

  const exportCsv = async () => {
    setExporting(true);
    const problems = await downloadCustomers(membersFilter(s.id), [SORTS[state.sort]]);
    setExporting(false);
    problems.forEach((p) => void message.error(p.message));
  };
  const removeSelected = async () => {
    const r = await remove({ input: { segmentId: s.id, customerIds: selected } });
    if (!r.data) {
      problemsOf(r.error).forEach((p) => void message.error(p.message));
      return;
    }
    void message.success(t('segments.removed', { count: r.data.removeSegmentMembers.changed }));
    setSelected([]);
    reloadAll();
  };
  const doDelete = async () => {
    const r = await deleteSegment({ id: s.id });
    if (!r.data?.deleteSegment) {
      problemsOf(r.error).forEach((p) => void message.error(p.message));
      return;
    }
    void message.success(t('segments.deleted', { name: s.name }));
    navigate('/segments');
  };

  return (
    <Flex vertical gap={16}>
      <Breadcrumb items={[{ title: <Link to="/segments">{t('segments.title')}</Link> }, { title: s.name }]} />
      <Card>
        <Flex justify="space-between" align="start" wrap gap={12}>
          <Space direction="vertical" size={4}>
            <Typography.Title level={1} style={{ fontSize: 26, margin: 0 }} data-testid="segment-name">
              {s.name}
            </Typography.Title>
            <Space wrap size={4}>
              <Tag variant="solid" color={KIND_COLORS[s.kind]} data-testid="segment-kind">
                {t(`segmentKind.${s.kind}`)}
              </Tag>
            </Space>
            {s.description && <Typography.Paragraph style={{ margin: 0 }}>{s.description}</Typography.Paragraph>}
          </Space>
          <Space wrap>
            <Button icon={<DownloadOutlined />} loading={exporting} onClick={() => void exportCsv()}>
              {t('segments.export')}
            </Button>
            {writable && (
              <Button icon={<EditOutlined />} onClick={() => setDialog('edit')}>
                {t('common.edit')}
              </Button>
            )}
            {writable && (
              <ConfirmDeleteButton confirm={t('segments.deleteConfirm', { name: s.name })} label={t('segments.delete')} onConfirm={doDelete} />
            )}
          </Space>
        </Flex>
      </Card>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={8}>
          <Card title={t('c360.details')} size="small" style={{ height: '100%' }}>
            <Statistic
              title={t('segments.members')}
              value={formatNumber(s.memberCount, language)}
              valueStyle={{ fontSize: 22 }}
              valueRender={(v) => <span data-testid="segment-members">{v}</span>}
            />
            <Descriptions
              column={1}
              size="small"
              style={{ marginTop: 12 }}
              items={[
                { key: 'owner', label: t('segments.owner'), children: s.owner ? s.owner.displayName || s.owner.email : '—' },
                ...(s.kind === 'DYNAMIC'
                  ? [
                      {
                        key: 'conditions',
                        label: t('segments.conditions'),
                        children: (
                          <Flex vertical gap={2} data-testid="segment-conditions">
                            {conditions ? (
                              conditionsOf(conditions, t).map(([label, value]) => <span key={label}>{t('segments.condition', { label, value })}</span>)
                            ) : (
                              <Typography.Text code>{JSON.stringify(s.filter)}</Typography.Text>
                            )}
                            {conditions && conditionsOf(conditions, t).length === 0 && t('segments.everyone')}
                          </Flex>
                        ),
                      },
                      { key: 'refreshed', label: t('segments.refreshed'), children: formatDateTime(s.refreshedAt, language) },
                    ]
                  : []),
                { key: 'created', label: t('segments.created'), children: formatDateTime(s.createdAt, language) },
                { key: 'updated', label: t('segments.updated'), children: formatDateTime(s.updatedAt, language) },
              ]}
            />
          </Card>
        </Col>
        {/* Sizes are counted over every member: null for a reader who may not see them all. */}
        {history !== null && history !== undefined && (
          <Col xs={24} xl={16}>
            <Card title={t('segments.size')} size="small" style={{ height: '100%' }}>
              {chart ? (
                <EChart option={chart} label={t('segments.sizeChart')} testId="segment-size-chart" height={240} />
              ) : (
                <Empty description={t('segments.noSizes')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
              )}
            </Card>
          </Col>
        )}
      </Row>

      <Card
        title={t('segments.members')}
        styles={{ body: { padding: 0 } }}
        extra={
          manual && (
            <Space wrap>
              <Button icon={<PlusOutlined />} onClick={() => setDialog('add')}>
                {t('segments.addMembers')}
              </Button>
              <Button icon={<UploadOutlined />} onClick={() => setDialog('import')}>
                {t('segments.importCsv')}
              </Button>
            </Space>
          )
        }
      >
        {manual && selected.length > 0 && (
          <Flex align="center" gap={8} wrap role="group" aria-label={t('segments.memberActions')} style={{ padding: '12px 16px' }}>
            <Typography.Text strong>{t('segments.selected', { count: selected.length })}</Typography.Text>
            <Button danger loading={removing} onClick={() => void removeSelected()}>
              {t('segments.removeSelected')}
            </Button>
            <Button type="link" onClick={() => setSelected([])}>
              {t('bulk.clear')}
            </Button>
          </Flex>
        )}
        {members.error && !members.data ? (
          <LoadError problems={problemsOf(members.error)} onRetry={() => reloadMembers({ requestPolicy: 'network-only' })} />
        ) : (
          <Table<CustomerRowFieldsFragment>
            rowKey="id"
            columns={columns}
            dataSource={rows}
            loading={members.fetching && !members.data}
            pagination={false}
            scroll={{ x: 900 }}
            rowSelection={
              manual
                ? {
                    selectedRowKeys: selected,
                    preserveSelectedRowKeys: true,
                    // As on the customer list: no select-all box (axe: aria-hidden-focus).
                    hideSelectAll: true,
                    onChange: (keys) => setSelected(keys as string[]),
                    getCheckboxProps: (c) => ({ 'aria-label': t('bulk.select', { name: c.name }) }),
                  }
                : undefined
            }
            onChange={(_p, _f, sorter) => {
              const sort = sortOfTable(sorter);
              if (sort) change({ sort });
            }}
            onRow={(c) => ({ onDoubleClick: () => navigate(`/customers/${c.id}`) })}
            locale={{ emptyText: <Empty description={t('segments.noMembers')} image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
          />
        )}
        {connection && connection.totalCount > 0 && (
          <KeysetPager
            testId="member-total"
            total={connection.totalCount}
            pageSize={state.pageSize}
            pageSizes={PAGE_SIZES}
            onPageSize={(pageSize) => change({ pageSize })}
            cursors={cursors}
            onCursors={setCursors}
            hasNextPage={connection.pageInfo.hasNextPage}
            endCursor={connection.pageInfo.endCursor}
          />
        )}
      </Card>

      <Modal open={dialog === 'edit'} title={t('segments.edit')} footer={null} maskClosable={false} destroyOnHidden width={800} onCancel={() => setDialog(null)}>
        <SegmentForm
          key={s.version}
          segment={s}
          onCancel={() => setDialog(null)}
          onReload={() => reload({ requestPolicy: 'network-only' })}
          onSaved={() => {
            setDialog(null);
            void message.success(t('segments.saved'));
            reloadAll();
          }}
        />
      </Modal>
      {manual && (
        <>
          <AddMembersDialog open={dialog === 'add'} segmentId={s.id} name={s.name} onClose={() => setDialog(null)} onChanged={reloadAll} />
          <ImportMembersDialog open={dialog === 'import'} segmentId={s.id} name={s.name} onClose={() => setDialog(null)} onChanged={reloadAll} />
        </>
      )}
    </Flex>
  );
}
