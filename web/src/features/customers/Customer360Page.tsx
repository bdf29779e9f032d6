import { EditOutlined, NotificationOutlined } from '@ant-design/icons';
import {
  App,
  Breadcrumb,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Flex,
  List,
  Modal,
  Row,
  Space,
  Statistic,
  Table,
  Segmented,
  Tag,
  theme,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { useQuery } from 'urql';
import { Loading, LoadError, NotFound } from '../../components/PageState';
import { currentLanguage } from '../../i18n';
import { problemsOf } from '../../lib/errors';
import { formatDate, formatDateTime, formatMoney, formatPercent } from '../../lib/format';
import { CustomerForm } from './CustomerForm';
import { Customer360Document, CustomerExtrasDocument } from './documents';
import { STAGE_COLORS } from './labels';
import { usePermissions } from '../../lib/permissions';
import { CustomerTimeline } from './Timeline';
import { FieldHistory } from './FieldHistory';
import { CustomerSegmentsDocument } from '../marketing/documents';
import { CrossSellList } from '../analytics/CrossSell';

/**
 * The 360 page's sections, one shown at a time. (A segmented control: Ant
 * Design's tab bar holds a menu button that its tablist role does not allow.)
 */
function Sections({ label, items }: { label: string; items: { key: string; label: string; children: React.ReactNode }[] }) {
  const [active, setActive] = useState(items[0].key);
  return (
    <Flex vertical gap={16}>
      <Segmented
        aria-label={label}
        value={active}
        onChange={(v) => setActive(String(v))}
        options={items.map((i) => ({ value: i.key, label: i.label }))}
        style={{ alignSelf: 'flex-start', maxWidth: '100%', overflowX: 'auto' }}
      />
      <section aria-label={items.find((i) => i.key === active)?.label}>{items.find((i) => i.key === active)?.children}</section>
    </Flex>
  );
}

export default function Customer360Page() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { message } = App.useApp();
  const language = currentLanguage();
  const [editing, setEditing] = useState(false);
  const { can } = usePermissions();
  const { token } = theme.useToken();
  const [view, reload] = useQuery({ query: Customer360Document, variables: { id }, requestPolicy: 'cache-and-network' });
  const [extras, reloadExtras] = useQuery({ query: CustomerExtrasDocument, variables: { id }, requestPolicy: 'cache-and-network' });
  // Outside the cached view, and only for those who may read marketing.
  const [segments] = useQuery({
    query: CustomerSegmentsDocument,
    variables: { id },
    pause: !can('marketing:read'),
    requestPolicy: 'cache-and-network',
  });

  if (view.fetching && !view.data) return <Loading />;
  if (view.error && !view.data) return <LoadError problems={problemsOf(view.error)} onRetry={() => reload({ requestPolicy: 'network-only' })} />;
  const c = view.data?.customer;
  if (!c) return <NotFound title={t('customers.notFound')} backTo="/customers" backLabel={t('common.backHome')} />;
  const x = extras.data?.customer;
  const emptyText = (key: string) => <Empty description={t(key)} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  const address = c.address
    ? [...c.address.streetLines, [c.address.postalCode, c.address.city].filter(Boolean).join(' '), c.address.stateProvince, c.address.country]
        .filter(Boolean)
        .join(', ')
    : null;
  const reloadAll = () => {
    reload({ requestPolicy: 'network-only' });
    reloadExtras({ requestPolicy: 'network-only' });
  };

  return (
    <Flex vertical gap={16}>
      <Breadcrumb items={[{ title: <Link to="/customers">{t('customers.title')}</Link> }, { title: c.name }]} />
      <Card>
        <Flex justify="space-between" align="start" wrap gap={12}>
          <Space direction="vertical" size={4}>
            <Typography.Title level={1} style={{ fontSize: 26, margin: 0 }} data-testid="customer-name">
              {c.name}
            </Typography.Title>
            <Space wrap size={4}>
              <Tag>{t(`kind.${c.kind}`)}</Tag>
              <Tag variant="solid" color={STAGE_COLORS[c.lifecycleStage]} data-testid="customer-stage">
                {t(`stage.${c.lifecycleStage}`)}
              </Tag>
              {c.tags.map((tag) => (
                <Tag key={tag} bordered={false} color="processing">
                  {tag}
                </Tag>
              ))}
            </Space>
            {can('marketing:read') && segments.data?.customer && (
              <Space wrap size={4} role="group" aria-label={t('customers.segments')} data-testid="customer-segments">
                <Typography.Text type="secondary">{t('customers.segments')}:</Typography.Text>
                {segments.data.customer.segments.length === 0 ? (
                  <Typography.Text type="secondary">{t('customers.noSegments')}</Typography.Text>
                ) : (
                  segments.data.customer.segments.map((s) => (
                    <Tag key={s.id} icon={<NotificationOutlined />} title={t(`segmentKind.${s.kind}`)}>
                      <Link to={`/segments/${s.id}`} style={{ color: token.colorLink }}>
                        {s.name}
                      </Link>
                    </Tag>
                  ))
                )}
              </Space>
            )}
          </Space>
          {can('customers:write') && (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
              {t('common.edit')}
            </Button>
          )}
        </Flex>
      </Card>

      <Row gutter={[16, 16]}>
        {[
          { title: t('c360.orders'), value: String(c.orderCount), sub: x && formatMoney(x.orderTotal, language) },
          { title: t('c360.openDeals'), value: String(c.openDealCount), sub: x && formatMoney(x.openDealAmount, language) },
          { title: t('c360.openCases'), value: String(c.openCaseCount) },
          { title: t('c360.interactions'), value: String(c.interactionCount), sub: `${t('c360.openTasks')}: ${c.openTaskCount}` },
          { title: t('customers.lastInteraction'), value: formatDate(c.lastInteractionAt, language) },
        ].map((s) => (
          <Col key={s.title} flex="1 1 180px">
            <Card size="small" style={{ height: '100%' }}>
              <Statistic title={s.title} value={s.value} valueStyle={{ fontSize: 22 }} />
              {s.sub && <Typography.Text type="secondary">{s.sub}</Typography.Text>}
            </Card>
          </Col>
        ))}
      </Row>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Card>
            <Sections
              label={t('c360.overview')}
              items={[
                {
                  key: 'timeline',
                  label: t('c360.timeline'),
                  children: x ? <CustomerTimeline entries={x.timeline.edges.map((e) => e.node)} /> : <Loading />,
                },
                {
                  key: 'history',
                  label: t('history.title'),
                  children: <FieldHistory customerId={c.id} />,
                },
                {
                  key: 'contacts',
                  label: `${t('c360.contacts')} (${c.contactCount})`,
                  children: (
                    <Table
                      rowKey="id"
                      size="small"
                      pagination={false}
                      dataSource={c.contacts.edges.map((e) => e.node)}
                      locale={{ emptyText: emptyText('c360.noContacts') }}
                      columns={[
                        { title: t('customers.name'), dataIndex: 'name' },
                        { title: t('c360.title'), dataIndex: 'title', render: (v) => v ?? '—' },
                        { title: t('customers.email'), dataIndex: 'email', render: (v) => v ?? '—' },
                        { title: t('customers.phone'), dataIndex: 'phone', render: (v) => v ?? '—' },
                      ]}
                    />
                  ),
                },
                {
                  key: 'interactions',
                  label: t('c360.interactions'),
                  children: (
                    <List
                      dataSource={c.interactions.edges.map((e) => e.node)}
                      locale={{ emptyText: emptyText('c360.noInteractions') }}
                      renderItem={(i) => (
                        <List.Item>
                          <List.Item.Meta
                            title={[i.kind && t(`interaction.${i.kind}`), i.subject].filter(Boolean).join(' · ')}
                            description={
                              <>
                                <div>{formatDateTime(i.occurredAt, language)}</div>
                                {i.body && <Typography.Paragraph ellipsis={{ rows: 2 }}>{i.body}</Typography.Paragraph>}
                              </>
                            }
                          />
                        </List.Item>
                      )}
                    />
                  ),
                },
                {
                  key: 'deals',
                  label: `${t('c360.openDeals')} (${c.openDealCount})`,
                  children: (
                    <Table
                      rowKey="id"
                      size="small"
                      pagination={false}
                      dataSource={c.openDeals.edges.map((e) => e.node)}
                      locale={{ emptyText: emptyText('c360.noDeals') }}
                      columns={[
                        { title: t('customers.name'), dataIndex: 'name' },
                        { title: t('c360.amount'), dataIndex: 'amount', render: (m) => formatMoney(m, language) },
                        { title: t('c360.closeDate'), dataIndex: 'expectedCloseDate', render: (v) => v ?? '—' },
                      ]}
                    />
                  ),
                },
                {
                  key: 'orders',
                  label: `${t('c360.orders')} (${c.orderCount})`,
                  children: (
                    <Table
                      rowKey="id"
                      size="small"
                      pagination={false}
                      dataSource={c.orders.edges.map((e) => e.node)}
                      locale={{ emptyText: emptyText('c360.noOrders') }}
                      columns={[
                        { title: t('c360.when'), dataIndex: 'orderedAt', render: (v) => formatDate(v, language) },
                        { title: t('customers.externalId'), dataIndex: 'externalId', render: (v) => v ?? '—' },
                        { title: t('c360.status'), dataIndex: 'status', render: (v) => <Tag>{v}</Tag> },
                        { title: t('c360.total'), dataIndex: 'total', render: (m) => formatMoney(m, language) },
                      ]}
                    />
                  ),
                },
                {
                  key: 'cases',
                  label: `${t('c360.openCases')} (${c.openCaseCount})`,
                  children: (
                    <Table
                      rowKey="id"
                      size="small"
                      pagination={false}
                      dataSource={c.openCases.edges.map((e) => e.node)}
                      locale={{ emptyText: emptyText('c360.noCases') }}
                      columns={[
                        { title: t('c360.number'), dataIndex: 'number', render: (n) => `#${n}` },
                        { title: t('c360.subject'), dataIndex: 'subject' },
                        { title: t('c360.priority'), dataIndex: 'priority', render: (v) => <Tag>{v}</Tag> },
                        { title: t('c360.status'), dataIndex: 'status', render: (v) => <Tag>{v}</Tag> },
                      ]}
                    />
                  ),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Flex vertical gap={16}>
            <Card title={t('c360.details')} size="small">
              <Descriptions
                column={1}
                size="small"
                items={[
                  { key: 'email', label: t('customers.email'), children: c.emails.map((e) => e.value).join(', ') || '—' },
                  { key: 'phone', label: t('customers.phone'), children: c.phones.map((p) => p.value).join(', ') || '—' },
                  { key: 'website', label: t('customers.website'), children: c.website ?? '—' },
                  { key: 'industry', label: t('customers.industry'), children: c.industry ?? '—' },
                  { key: 'region', label: t('customers.region'), children: c.region ?? '—' },
                  { key: 'address', label: t('customers.address'), children: address || '—' },
                  {
                    key: 'acquisition',
                    label: t('customers.acquisition'),
                    children: [c.acquisitionSource, c.acquisitionChannel].filter(Boolean).join(' · ') || '—',
                  },
                  { key: 'externalId', label: t('customers.externalId'), children: c.externalId ?? '—' },
                  { key: 'owner', label: t('customers.owner'), children: x?.owner ? x.owner.displayName || x.owner.email : '—' },
                  { key: 'created', label: t('customers.created'), children: formatDateTime(c.createdAt, language) },
                  { key: 'updated', label: t('customers.updated'), children: formatDateTime(c.updatedAt, language) },
                ]}
              />
            </Card>
            <Card title={t('c360.value')} size="small">
              {c.value ? (
                <Descriptions
                  column={1}
                  size="small"
                  items={[
                    { key: 'tier', label: t('c360.tier'), children: c.value.tier ?? '—' },
                    { key: 'rfm', label: t('c360.rfm'), children: c.value.rfmScore ?? '—' },
                    { key: 'clv', label: t('c360.clv12m'), children: formatMoney(c.value.clv12m, language) },
                    { key: 'churn', label: t('c360.churnRisk'), children: formatPercent(c.value.churnRisk, language) },
                    { key: 'alive', label: t('c360.probabilityAlive'), children: formatPercent(c.value.probabilityAlive, language) },
                  ]}
                />
              ) : (
                <Typography.Text type="secondary">{t('c360.noValue')}</Typography.Text>
              )}
            </Card>
            {can('orders:read') && (
              <Card title={t('crossSell.title')} size="small" styles={{ body: { padding: 0 } }}>
                <CrossSellList customerId={c.id} compact />
              </Card>
            )}
          </Flex>
        </Col>
      </Row>

      <Modal open={editing} title={t('customers.edit')} footer={null} maskClosable={false} destroyOnHidden width={640} onCancel={() => setEditing(false)}>
        <CustomerForm
          key={c.version}
          customer={c}
          onCancel={() => setEditing(false)}
          onReload={reloadAll}
          onSaved={() => {
            setEditing(false);
            reloadExtras({ requestPolicy: 'network-only' });
            void message.success(t('customers.saved'));
          }}
        />
      </Modal>
    </Flex>
  );
}
