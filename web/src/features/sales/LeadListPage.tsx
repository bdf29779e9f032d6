import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Checkbox, Col, Empty, Flex, Form, Input, Modal, Result, Row, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useMutation, useQuery } from 'urql';
import { LoadError } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import type { LeadFieldsFragment } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { usePermissions } from '../../lib/permissions';
import { useAddressState } from '../../lib/addressState';
import { problemsOf, type ApiProblem } from '../../lib/errors';
import { formatDate } from '../../lib/format';
import { useSession } from '../../lib/useSession';
import { ConvertLeadDocument, CreateLeadDocument, DisqualifyLeadDocument, LeadsDocument, QualifyLeadDocument } from './documents';
import { conversionDeal, LEAD_LIST_STATE, LEAD_STATUS_COLORS, LEAD_STATUSES, leadActions, type LeadAction } from './leads';

const PAGE_SIZE = 20;

type Dialog = { action: LeadAction | 'create'; lead?: LeadFieldsFragment } | null;

interface Converted {
  customer: { id: string; name: string };
  dealId: string | null;
  matched: boolean;
}

function LeadDialog({ dialog, onClose }: { dialog: NonNullable<Dialog>; onClose: (ok: boolean) => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const [form] = Form.useForm();
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const [saving, setSaving] = useState(false);
  const [converted, setConverted] = useState<Converted | null>(null);
  const [, createLead] = useMutation(CreateLeadDocument);
  const [, qualify] = useMutation(QualifyLeadDocument);
  const [, disqualify] = useMutation(DisqualifyLeadDocument);
  const [, convert] = useMutation(ConvertLeadDocument);
  const { action, lead } = dialog;
  const withDeal = Form.useWatch('withDeal', form);
  const baseCurrency = session?.tenant.baseCurrency ?? 'USD';

  const submit = async (values: Record<string, string | boolean | undefined>) => {
    setProblems([]);
    setSaving(true);
    const text = (k: string) => {
      const v = values[k];
      return typeof v === 'string' && v.trim() ? v.trim() : null;
    };
    let error;
    if (action === 'create') {
      ({ error } = await createLead({
        input: { name: text('name') ?? '', company: text('company'), email: text('email'), phone: text('phone'), source: text('source') },
      }));
    } else if (lead && (action === 'qualify' || action === 'disqualify')) {
      const run = action === 'qualify' ? qualify : disqualify;
      ({ error } = await run({ input: { id: lead.id, reason: text('reason') } }));
    } else if (lead && action === 'convert') {
      const deal = conversionDeal(values as Parameters<typeof conversionDeal>[0], baseCurrency);
      const result = await convert({
        input: { leadId: lead.id, matchExistingCustomer: values.match !== false, deal },
      });
      error = result.error;
      const c = result.data?.convertLead;
      if (c) setConverted({ customer: c.customer, dealId: c.deal?.id ?? null, matched: c.matchedExistingCustomer });
    }
    setSaving(false);
    if (error) setProblems(problemsOf(error));
    else if (action !== 'convert') onClose(true);
  };

  const title =
    action === 'create' ? t('leads.new') : t(`leads.${action}Title`, { name: lead?.name ?? '' });
  if (converted)
    return (
      <Modal open title={title} footer={null} onCancel={() => onClose(true)}>
        <Result
          status="success"
          title={t(converted.matched ? 'leads.convertedMatched' : 'leads.convertedNew', { name: converted.customer.name })}
          extra={
            <Space wrap>
              <Link to={`/customers/${converted.customer.id}`} data-testid="converted-customer">
                <Button type="primary">{t('leads.openCustomer')}</Button>
              </Link>
              {converted.dealId && (
                <Link to={`/deals/${converted.dealId}`}>
                  <Button>{t('leads.openDeal')}</Button>
                </Link>
              )}
              <Button onClick={() => onClose(true)}>{t('common.close')}</Button>
            </Space>
          }
        />
      </Modal>
    );

  return (
    <Modal
      open
      title={title}
      okText={action === 'create' ? t('common.save') : t(`leads.${action}`)}
      cancelText={t('common.cancel')}
      okButtonProps={{ danger: action === 'disqualify' }}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={() => onClose(false)}
      maskClosable={false}
      destroyOnHidden
    >
      <ProblemAlert problems={problems} />
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{
          match: true,
          withDeal: true,
          dealName: lead ? lead.company || lead.name : '',
          currency: baseCurrency,
        }}
      >
        {action === 'create' && (
          <>
            <Form.Item name="name" label={t('leads.name')} rules={[{ required: true, whitespace: true, message: t('auth.required') }]}>
              <Input maxLength={200} />
            </Form.Item>
            <Row gutter={12}>
              <Col span={12}>
                <Form.Item name="company" label={t('leads.company')}>
                  <Input maxLength={200} />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="source" label={t('leads.source')}>
                  <Input maxLength={200} />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="email" label={t('customers.email')}>
                  <Input type="email" maxLength={320} />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="phone" label={t('customers.phone')}>
                  <Input maxLength={50} />
                </Form.Item>
              </Col>
            </Row>
          </>
        )}
        {(action === 'qualify' || action === 'disqualify') && (
          <Form.Item
            name="reason"
            label={t(action === 'qualify' ? 'leads.reasonOptional' : 'leads.reason')}
            rules={action === 'disqualify' ? [{ required: true, whitespace: true, message: t('leads.reasonRequired') }] : []}
          >
            <Input.TextArea rows={3} maxLength={500} />
          </Form.Item>
        )}
        {action === 'convert' && (
          <>
            <Typography.Paragraph type="secondary">{t('leads.convertHint')}</Typography.Paragraph>
            <Form.Item name="match" valuePropName="checked">
              <Checkbox>{t('leads.matchExisting')}</Checkbox>
            </Form.Item>
            <Form.Item name="withDeal" valuePropName="checked">
              <Checkbox>{t('leads.withDeal')}</Checkbox>
            </Form.Item>
            {withDeal && (
              <Row gutter={12}>
                <Col span={24}>
                  <Form.Item name="dealName" label={t('leads.dealName')}>
                    <Input maxLength={200} />
                  </Form.Item>
                </Col>
                <Col span={14}>
                  <Form.Item
                    name="amount"
                    label={t('c360.amount')}
                    rules={[{ pattern: /^\d{1,15}(\.\d{1,4})?$/, message: t('leads.amountInvalid') }]}
                  >
                    <Input inputMode="decimal" />
                  </Form.Item>
                </Col>
                <Col span={10}>
                  <Form.Item
                    name="currency"
                    label={t('leads.currency')}
                    rules={[{ pattern: /^[A-Za-z]{3}$/, message: t('leads.currencyInvalid') }]}
                    normalize={(v: string) => v.toUpperCase()}
                  >
                    <Input maxLength={3} />
                  </Form.Item>
                </Col>
              </Row>
            )}
          </>
        )}
      </Form>
    </Modal>
  );
}

export default function LeadListPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const language = currentLanguage();
  const [state, changeState] = useAddressState(LEAD_LIST_STATE);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [dialog, setDialog] = useState<Dialog>(null);
  const after = cursors[cursors.length - 1];
  const variables = useMemo(
    () => ({ first: PAGE_SIZE, after, filter: state.statuses.length ? { statusIn: state.statuses } : null }),
    [state, after],
  );
  const { can } = usePermissions();
  const [list, reexecute] = useQuery({ query: LeadsDocument, variables, requestPolicy: 'cache-and-network' });
  const rows = list.data?.leads.edges.map((e) => e.node) ?? [];
  const total = list.data?.leads.totalCount ?? 0;

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t('leads.title')}
        </Typography.Title>
        {can('leads:write') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog({ action: 'create' })}>
            {t('leads.new')}
          </Button>
        )}
      </Flex>
      <Card>
        <Flex wrap gap={8} align="center" role="group" aria-label={t('customers.filters')}>
          <Select
            mode="multiple"
            allowClear
            aria-label={t('leads.status')}
            data-testid="filter-lead-status"
            placeholder={t('leads.anyStatus')}
            style={{ minWidth: 260 }}
            value={state.statuses}
            onChange={(statuses) => {
              setCursors([null]);
              changeState({ statuses });
            }}
            options={LEAD_STATUSES.map((s) => ({ value: s, label: t(`leadStatus.${s}`) }))}
          />
        </Flex>
      </Card>
      <Card styles={{ body: { padding: 0 } }}>
        {list.error && !list.data ? (
          <LoadError problems={problemsOf(list.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
        ) : (
          <Table<LeadFieldsFragment>
            rowKey="id"
            dataSource={rows}
            loading={list.fetching && !list.data}
            pagination={false}
            scroll={{ x: 900 }}
            locale={{
              emptyText: (
                <Empty
                  image={Empty.PRESENTED_IMAGE_SIMPLE}
                  description={state.statuses.length ? t('leads.emptyFiltered') : t('leads.empty')}
                />
              ),
            }}
            columns={[
              {
                title: t('leads.name'),
                key: 'name',
                render: (_, l) => (
                  <Space direction="vertical" size={0}>
                    <Typography.Text strong>{l.name}</Typography.Text>
                    {l.company && (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {l.company}
                      </Typography.Text>
                    )}
                  </Space>
                ),
              },
              { title: t('customers.email'), dataIndex: 'email', render: (v?: string | null) => v ?? '—' },
              { title: t('leads.source'), dataIndex: 'source', render: (v?: string | null) => v ?? '—' },
              {
                title: t('leads.status'),
                key: 'status',
                render: (_, l) => {
                  const tag = (
                    <Tag variant="solid" color={LEAD_STATUS_COLORS[l.status]} data-testid="lead-status">
                      {t(`leadStatus.${l.status}`)}
                    </Tag>
                  );
                  return l.statusReason ? <Tooltip title={l.statusReason}>{tag}</Tooltip> : tag;
                },
              },
              { title: t('customers.created'), dataIndex: 'createdAt', render: (v: string) => formatDate(v, language) },
              {
                title: t('leads.actions'),
                key: 'actions',
                render: (_, l) =>
                  l.status === 'CONVERTED' ? (
                    <Space wrap size={4}>
                      {l.customerId && <Link to={`/customers/${l.customerId}`}>{t('leads.openCustomer')}</Link>}
                      {l.dealId && <Link to={`/deals/${l.dealId}`}>{t('leads.openDeal')}</Link>}
                    </Space>
                  ) : (
                    <Space wrap size={4}>
                      {(can('leads:write') ? leadActions(l.status) : []).map((action) => (
                        <Button
                          key={action}
                          size="small"
                          type={action === 'convert' ? 'primary' : 'default'}
                          danger={action === 'disqualify'}
                          aria-label={t(`leads.${action}Title`, { name: l.name })}
                          onClick={() => setDialog({ action, lead: l })}
                        >
                          {t(`leads.${action}`)}
                        </Button>
                      ))}
                    </Space>
                  ),
              },
            ]}
          />
        )}
        {total > 0 && (
          <Flex justify="space-between" align="center" style={{ padding: 16 }} wrap gap={8}>
            <Typography.Text type="secondary" data-testid="lead-total">
              {t('common.total', { count: total })}
            </Typography.Text>
            <Space>
              <Button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
                {t('common.previous')}
              </Button>
              <Typography.Text>{t('common.pageOf', { page: cursors.length, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) })}</Typography.Text>
              <Button
                disabled={!list.data?.leads.pageInfo.hasNextPage}
                onClick={() => setCursors([...cursors, list.data?.leads.pageInfo.endCursor ?? null])}
              >
                {t('common.next')}
              </Button>
            </Space>
          </Flex>
        )}
      </Card>
      {dialog && (
        <LeadDialog
          key={`${dialog.action}/${dialog.lead?.id ?? ''}`}
          dialog={dialog}
          onClose={(ok) => {
            if (ok && dialog.action !== 'convert') void message.success(t(`leads.${dialog.action}Done`));
            setDialog(null);
          }}
        />
      )}
    </Flex>
  );
}
