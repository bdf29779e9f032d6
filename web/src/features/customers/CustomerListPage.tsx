import { DownloadOutlined, FilterOutlined, PlusOutlined, SettingOutlined, UploadOutlined } from '@ant-design/icons';
import { App, Button, Card, Checkbox, Empty, Flex, Form, Input, Modal, Popover, Space, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { useQuery } from 'urql';
import { KeysetPager } from '../../components/KeysetPager';
import { LoadError } from '../../components/PageState';
import type { CustomerRowFieldsFragment } from '../../gql/graphql';
import { useAddressState } from '../../lib/addressState';
import { problemsOf } from '../../lib/errors';
import { usePermissions } from '../../lib/permissions';
import { useSession } from '../../lib/useSession';
import { SegmentForm } from '../marketing/SegmentForm';
import { BulkActions } from './BulkActions';
import { sortOfTable, useCustomerColumns } from './customerColumns';
import { CustomerFilters } from './CustomerFilters';
import { loadColumns, loadViews, OPTIONAL_COLUMNS, removeView, saveColumns, saveView, type OptionalColumn } from './listPrefs';
import { CustomerForm } from './CustomerForm';
import { CustomersDocument, SearchCustomersDocument } from './documents';
import { ImportDialog } from './ImportDialog';
import { downloadCustomers } from './importExport';
import { filterOf, filtersOf, LIST_STATE, MORE_FILTERS, PAGE_SIZES, SORTS, type ListState } from './listState';

const SEARCH_LIMIT = 50;

export default function CustomerListPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [state, changeState] = useAddressState(LIST_STATE);
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const [exporting, setExporting] = useState(false);
  const { can } = usePermissions();
  // Cursors of the pages before the current one (keyset pages).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const searching = state.query.trim() !== '';
  const location = useLocation();
  const userId = useSession()?.user.id ?? 'anonymous';
  const [shown, setShown] = useState<OptionalColumn[]>(() => loadColumns(userId));
  const [views, setViews] = useState(() => loadViews(userId));
  const [naming, setNaming] = useState(false);
  const [viewForm] = Form.useForm<{ name: string }>();
  const [selectedIds, setSelectedIds] = useState<string[]>([]);
  const [selectedRows, setSelectedRows] = useState<CustomerRowFieldsFragment[]>([]);
  // The filters beyond stage, tag and country: shown on demand, or when one is set.
  const [moreShown, setMoreShown] = useState(false);
  const more = moreShown || MORE_FILTERS.some((k) => (Array.isArray(state[k]) ? state[k].length > 0 : state[k] !== ''));
  const [segmenting, setSegmenting] = useState(false);

  // Applied to the address as it is then, so quick successive changes all stay.
  const change = (next: Partial<ListState>) => {
    setCursors([null]);
    setSelectedIds([]);
    setSelectedRows([]);
    changeState(next);
  };

  const variables = useMemo(
    () => ({ first: state.pageSize, after, filter: filterOf(state), orderBy: [SORTS[state.sort]] }),
    [state, after],
  );
  const [list, reexecute] = useQuery({
    query: CustomersDocument,
    variables,
    pause: searching,
    requestPolicy: 'cache-and-network',
  });
  const [search] = useQuery({
    query: SearchCustomersDocument,
    variables: { query: state.query.trim(), first: SEARCH_LIMIT },
    pause: !searching,
  });

  const current = searching ? search : list;
  const rows: CustomerRowFieldsFragment[] = searching
    ? (search.data?.searchCustomers ?? [])
    : (list.data?.customers.edges.map((e) => e.node) ?? []);
  const total = list.data?.customers.totalCount ?? 0;
  const filtered = filterOf(state) !== null;
  const { columns: visibleColumns, columnLabel } = useCustomerColumns({ shown, sort: searching ? undefined : state.sort });
  const currentSearch = location.search.replace(/^\?/, '');

  // The list's filter and order (a search has no export: its matches are ranked, not filtered).
  const exportCsv = async () => {
    setExporting(true);
    const problems = await downloadCustomers(filterOf(state), [SORTS[state.sort]]);
    setExporting(false);
    problems.forEach((p) => void message.error(p.message));
  };

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t('customers.title')}
        </Typography.Title>
        <Space wrap>
          <Popover
            trigger="click"
            placement="bottomRight"
            content={
              <Checkbox.Group
                aria-label={t('listPrefs.columns')}
                value={shown}
                onChange={(v) => setShown(saveColumns(userId, v as string[]))}
              >
                <Flex vertical gap={4}>
                  {OPTIONAL_COLUMNS.map((c) => (
                    <Checkbox key={c} value={c}>
                      {columnLabel[c]}
                    </Checkbox>
                  ))}
                </Flex>
              </Checkbox.Group>
            }
          >
            <Button icon={<SettingOutlined />}>{t('listPrefs.columns')}</Button>
          </Popover>
          <Button icon={<DownloadOutlined />} loading={exporting} onClick={() => void exportCsv()}>
            {t('customers.export')}
          </Button>
          {can('customers:write') && (
            <Button icon={<UploadOutlined />} onClick={() => setImporting(true)}>
              {t('customers.import')}
            </Button>
          )}
          {can('customers:write') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              {t('customers.new')}
            </Button>
          )}
        </Space>
      </Flex>
      <Card>
        <Flex vertical gap={12}>
          <Input.Search
            key={`q-${state.query}`}
            defaultValue={state.query}
            allowClear
            enterButton
            placeholder={t('customers.search')}
            aria-label={t('customers.search')}
            onSearch={(q) => change({ query: q.trim() })}
          />
          <Flex wrap gap={8} align="center" role="group" aria-label={t('customers.filters')}>
            <CustomerFilters value={state} onChange={change} disabled={searching} more={more} />
            <Button
              size="small"
              icon={<FilterOutlined />}
              aria-expanded={more}
              disabled={searching}
              onClick={() => setMoreShown(!more)}
            >
              {t('customers.moreFilters')}
            </Button>
            <Button size="small" onClick={() => setNaming(true)}>
              {t('listPrefs.saveView')}
            </Button>
            {can('marketing:write') && (
              <Button size="small" disabled={searching || !filtered} onClick={() => setSegmenting(true)}>
                {t('customers.saveAsSegment')}
              </Button>
            )}
            {searching && (
              <Space>
                <Typography.Text type="secondary">{t('customers.searching', { query: state.query })}</Typography.Text>
                <Button size="small" onClick={() => change({ query: '' })}>
                  {t('customers.clearSearch')}
                </Button>
              </Space>
            )}
          </Flex>
          {views.length > 0 && (
            <Flex wrap gap={8} align="center" role="navigation" aria-label={t('listPrefs.views')}>
              <Typography.Text type="secondary">{t('listPrefs.views')}:</Typography.Text>
              {views.map((v) => (
                <Tag
                  key={v.name}
                  color={v.search === currentSearch ? 'blue' : undefined}
                  closable
                  closeIcon={<span aria-label={t('listPrefs.removeView', { name: v.name })}>×</span>}
                  onClose={(e) => {
                    e.preventDefault();
                    setViews(removeView(userId, v.name));
                  }}
                >
                  <Link to={{ pathname: '/customers', search: v.search ? `?${v.search}` : '' }} onClick={() => setCursors([null])}>
                    {v.name}
                  </Link>
                </Tag>
              ))}
            </Flex>
          )}
        </Flex>
      </Card>
      <Card styles={{ body: { padding: 0 } }}>
        {selectedRows.length > 0 && (
          <BulkActions
            selected={selectedRows}
            onDone={(failed) => {
              setSelectedIds(failed);
              setSelectedRows(selectedRows.filter((r) => failed.includes(r.id)));
              reexecute({ requestPolicy: 'network-only' });
            }}
          />
        )}
        {current.error && !current.data ? (
          <LoadError problems={problemsOf(current.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
        ) : (
          <Table<CustomerRowFieldsFragment>
            rowKey="id"
            columns={visibleColumns}
            rowSelection={
              can('customers:write')
                ? {
                    selectedRowKeys: selectedIds,
                    preserveSelectedRowKeys: true,
                    // No select-all box: the table's hidden measuring row copies column titles, and a
                    // checkbox there is focusable inside aria-hidden (axe: aria-hidden-focus).
                    hideSelectAll: true,
                    onChange: (keys, rows) => {
                      setSelectedIds(keys as string[]);
                      setSelectedRows(rows.filter(Boolean));
                    },
                    getCheckboxProps: (c) => ({ 'aria-label': t('bulk.select', { name: c.name }) }),
                  }
                : undefined
            }
            dataSource={rows}
            loading={current.fetching && !current.data}
            pagination={false}
            scroll={{ x: 900 }}
            onChange={(_p, _f, sorter) => {
              const sort = sortOfTable(sorter);
              if (sort) change({ sort });
            }}
            onRow={(c) => ({ onDoubleClick: () => navigate(`/customers/${c.id}`) })}
            locale={{
              emptyText: (
                <Empty
                  description={searching || filtered ? t('customers.emptyFiltered') : t('customers.empty')}
                  image={Empty.PRESENTED_IMAGE_SIMPLE}
                />
              ),
            }}
          />
        )}
        {!searching && total > 0 && (
          <KeysetPager
            testId="customer-total"
            total={total}
            pageSize={state.pageSize}
            pageSizes={PAGE_SIZES}
            onPageSize={(pageSize) => change({ pageSize })}
            cursors={cursors}
            onCursors={setCursors}
            hasNextPage={!!list.data?.customers.pageInfo.hasNextPage}
            endCursor={list.data?.customers.pageInfo.endCursor}
          />
        )}
      </Card>
      <Modal
        open={naming}
        title={t('listPrefs.saveView')}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        destroyOnHidden
        onOk={() => viewForm.submit()}
        onCancel={() => setNaming(false)}
      >
        <Form
          form={viewForm}
          layout="vertical"
          onFinish={({ name }) => {
            setViews(saveView(userId, { name, search: currentSearch }));
            setNaming(false);
            void message.success(t('listPrefs.viewSaved', { name: name.trim() }));
          }}
        >
          <Form.Item
            name="name"
            label={t('listPrefs.viewName')}
            rules={[{ required: true, whitespace: true, message: t('listPrefs.viewNameRequired') }, { max: 40 }]}
          >
            <Input autoFocus />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={segmenting}
        title={t('segments.fromList')}
        footer={null}
        maskClosable={false}
        destroyOnHidden
        width={800}
        onCancel={() => setSegmenting(false)}
      >
        <SegmentForm
          initialFilter={filtersOf(state)}
          onCancel={() => setSegmenting(false)}
          onSaved={(segment) => {
            setSegmenting(false);
            void message.success(t('segments.createdOk', { name: segment.name }));
            navigate(`/segments/${segment.id}`);
          }}
        />
      </Modal>
      <ImportDialog
        open={importing}
        onClose={() => setImporting(false)}
        onImported={() => reexecute({ requestPolicy: 'network-only' })}
      />
      <Modal
        open={creating}
        title={t('customers.new')}
        footer={null}
        maskClosable={false}
        destroyOnHidden
        width={640}
        onCancel={() => setCreating(false)}
      >
        <CustomerForm
          onCancel={() => setCreating(false)}
          onSaved={() => {
            setCreating(false);
            void message.success(t('customers.created_ok'));
          }}
        />
      </Modal>
    </Flex>
  );
}
