import { DownloadOutlined, PlusOutlined, SettingOutlined, UploadOutlined } from '@ant-design/icons';
import { App, Button, Card, Checkbox, Empty, Flex, Form, Input, Modal, Popover, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType, SortOrder } from 'antd/es/table/interface';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { useQuery } from 'urql';
import { LoadError } from '../../components/PageState';
import type { CustomerRowFieldsFragment } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { useAddressState } from '../../lib/addressState';
import { problemsOf } from '../../lib/errors';
import { usePermissions } from '../../lib/permissions';
import { formatDate } from '../../lib/format';
import { useSession } from '../../lib/useSession';
import { BulkActions } from './BulkActions';
import { loadColumns, loadViews, OPTIONAL_COLUMNS, removeView, saveColumns, saveView, type OptionalColumn } from './listPrefs';
import { CustomerForm } from './CustomerForm';
import { CustomersDocument, SearchCustomersDocument } from './documents';
import { ImportDialog } from './ImportDialog';
import { downloadCustomers } from './importExport';
import { STAGE_COLORS, STAGES } from './labels';
import { filterOf, LIST_STATE, PAGE_SIZES, SORTS, type ListState, type SortKey } from './listState';

const SEARCH_LIMIT = 50;

/** A text filter applied on Enter or when focus leaves it. */
function FilterInput(props: {
  label: string;
  title?: string;
  value: string;
  disabled: boolean;
  width: number;
  maxLength?: number;
  normalize?: (v: string) => string;
  onCommit: (v: string) => void;
}) {
  const [text, setText] = useState(props.value);
  useEffect(() => setText(props.value), [props.value]);
  const commit = () => {
    const v = (props.normalize ?? ((x: string) => x))(text.trim());
    if (v !== props.value) props.onCommit(v);
  };
  return (
    <Input
      allowClear
      aria-label={props.label}
      placeholder={props.label}
      title={props.title}
      disabled={props.disabled}
      maxLength={props.maxLength}
      style={{ width: props.width }}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        // The clear button empties the filter at once.
        if (e.type === 'click' && props.value) props.onCommit('');
      }}
      onPressEnter={commit}
      onBlur={commit}
    />
  );
}

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
  const pages = Math.max(1, Math.ceil(total / state.pageSize));
  const filtered = filterOf(state) !== null;
  const language = currentLanguage();

  const sortOrder = (asc: SortKey, desc: SortKey): SortOrder =>
    state.sort === asc ? 'ascend' : state.sort === desc ? 'descend' : null;

  const columns: ColumnsType<CustomerRowFieldsFragment> = [
    {
      title: t('customers.name'),
      dataIndex: 'name',
      key: 'name',
      sorter: !searching,
      sortOrder: searching ? undefined : sortOrder('name-asc', 'name-desc'),
      render: (name: string, c) => (
        <Space direction="vertical" size={0}>
          <Link to={`/customers/${c.id}`}>{name}</Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t(`kind.${c.kind}`)}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('customers.stage'),
      dataIndex: 'lifecycleStage',
      key: 'stage',
      render: (s: CustomerRowFieldsFragment['lifecycleStage']) => <Tag variant="solid" color={STAGE_COLORS[s]}>{t(`stage.${s}`)}</Tag>,
    },
    { title: t('customers.email'), dataIndex: 'email', key: 'email', render: (v?: string | null) => v ?? '—' },
    { title: t('customers.phone'), dataIndex: 'phone', key: 'phone', render: (v?: string | null) => v ?? '—' },
    {
      title: t('customers.country'),
      key: 'country',
      render: (_, c) => [c.address?.city, c.address?.country].filter(Boolean).join(', ') || '—',
    },
    {
      title: t('customers.tags'),
      dataIndex: 'tags',
      key: 'tags',
      render: (tags: string[]) => tags.map((tag) => <Tag key={tag}>{tag}</Tag>),
    },
    {
      title: t('customers.lastInteraction'),
      dataIndex: 'lastInteractionAt',
      key: 'contact',
      sorter: !searching,
      sortOrder: searching ? undefined : sortOrder('contact-asc', 'contact-desc'),
      render: (v?: string | null) => formatDate(v, language),
    },
    {
      title: t('customers.created'),
      dataIndex: 'createdAt',
      key: 'created',
      sorter: !searching,
      sortOrder: searching ? undefined : sortOrder('created-asc', 'created-desc'),
      render: (v: string) => formatDate(v, language),
    },
  ];
  const visibleColumns = columns.filter((c) => c.key === 'name' || shown.includes(c.key as OptionalColumn));
  const columnLabel: Record<OptionalColumn, string> = {
    stage: t('customers.stage'),
    email: t('customers.email'),
    phone: t('customers.phone'),
    country: t('customers.country'),
    tags: t('customers.tags'),
    contact: t('customers.lastInteraction'),
    created: t('customers.created'),
  };
  const currentSearch = location.search.replace(/^\?/, '');

  // The list's filter and order (a search has no export: its matches are ranked, not filtered).
  const exportCsv = async () => {
    setExporting(true);
    const problems = await downloadCustomers(filterOf(state), [SORTS[state.sort]]);
    setExporting(false);
    problems.forEach((p) => void message.error(p.message));
  };

  const sortKeys: Record<string, [SortKey, SortKey]> = {
    name: ['name-asc', 'name-desc'],
    contact: ['contact-asc', 'contact-desc'],
    created: ['created-asc', 'created-desc'],
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
            <Select
              mode="multiple"
              allowClear
              disabled={searching}
              aria-label={t('customers.stage')}
              data-testid="filter-stage"
              placeholder={t('customers.anyStage')}
              style={{ minWidth: 220 }}
              value={state.stages}
              onChange={(stages) => change({ stages })}
              options={STAGES.map((s) => ({ value: s, label: t(`stage.${s}`) }))}
            />
            <FilterInput
              label={t('customers.tag')}
              value={state.tag}
              disabled={searching}
              width={160}
              onCommit={(tag) => change({ tag })}
            />
            <FilterInput
              label={t('customers.country')}
              title={t('customers.countryHint')}
              value={state.country}
              disabled={searching}
              width={120}
              maxLength={2}
              normalize={(v) => v.toUpperCase()}
              onCommit={(country) => change({ country })}
            />
            <Button size="small" onClick={() => setNaming(true)}>
              {t('listPrefs.saveView')}
            </Button>
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
              const s = Array.isArray(sorter) ? sorter[0] : sorter;
              const keys = sortKeys[String(s.columnKey)];
              if (!keys) return;
              change({ sort: s.order === 'descend' ? keys[1] : s.order === 'ascend' ? keys[0] : 'created-desc' });
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
          <Flex justify="space-between" align="center" style={{ padding: 16 }} wrap gap={8}>
            <Typography.Text type="secondary" data-testid="customer-total">
              {t('common.total', { count: total })}
            </Typography.Text>
            <Space>
              <Select
                aria-label={t('common.perPage', { count: state.pageSize })}
                value={state.pageSize}
                onChange={(pageSize) => change({ pageSize })}
                options={PAGE_SIZES.map((n) => ({ value: n, label: t('common.perPage', { count: n }) }))}
              />
              <Button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
                {t('common.previous')}
              </Button>
              <Typography.Text>{t('common.pageOf', { page: cursors.length, pages })}</Typography.Text>
              <Button
                disabled={!list.data?.customers.pageInfo.hasNextPage}
                onClick={() => setCursors([...cursors, list.data?.customers.pageInfo.endCursor ?? null])}
              >
                {t('common.next')}
              </Button>
            </Space>
          </Flex>
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
