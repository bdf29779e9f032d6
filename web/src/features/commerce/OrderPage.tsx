import { App, Breadcrumb, Button, Card, Descriptions, Flex, Result, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { useMutation, useQuery } from 'urql';
import { Loading, LoadError } from '../../components/PageState';
import type { OrderQuery, OrderStatus } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { problemsOf } from '../../lib/errors';
import { formatDate, formatDateTime, formatMoney } from '../../lib/format';
import { usePermissions } from '../../lib/permissions';
import { ChangeOrderStatusDocument, OrderBaseTotalDocument, OrderDocument } from './documents';
import { NEXT_STATUSES } from './ordersState';
import { STATUS_COLORS } from './OrdersPage';

type Line = NonNullable<OrderQuery['order']>['lines'][number];

/** One order: its customer, lines and totals, and the status changes it allows. */
export default function OrderPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { message } = App.useApp();
  const language = currentLanguage();
  const { can } = usePermissions();
  const [order, reexecute] = useQuery({ query: OrderDocument, variables: { id } });
  // Apart: without a rate in force on the order's date it is an error, which must not hide the order.
  const [base] = useQuery({ query: OrderBaseTotalDocument, variables: { id } });
  const [, changeStatus] = useMutation(ChangeOrderStatusDocument);
  const [busy, setBusy] = useState<string | null>(null);

  if (order.error && !order.data) return <LoadError problems={problemsOf(order.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />;
  if (!order.data) return <Loading />;
  const o = order.data.order;
  if (!o) return <Result status="404" title={t('orders.notFound')} extra={<Link to="/orders">{t('orders.back')}</Link>} />;

  const move = async (status: OrderStatus) => {
    setBusy(status);
    const r = await changeStatus({ input: { id: o.id, version: o.version, status } });
    setBusy(null);
    if (r.error) problemsOf(r.error).forEach((p) => void message.error(p.message));
    else void message.success(t('orders.statusChanged', { status: t(`orderStatus.${status}`) }));
  };
  const baseTotal = base.data?.order?.totalInBaseCurrency;
  const title = o.externalId || t('orders.orderOn', { date: formatDate(o.orderedAt, language) });

  return (
    <Flex vertical gap={16}>
      <Breadcrumb items={[{ title: <Link to="/orders">{t('orders.title')}</Link> }, { title }]} />
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Space align="center">
          <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
            {title}
          </Typography.Title>
          <Tag variant="solid" color={STATUS_COLORS[o.status]} data-testid="order-status">
            {t(`orderStatus.${o.status}`)}
          </Tag>
        </Space>
        {can('orders:write') && (
          <Space wrap>
            {NEXT_STATUSES[o.status].map((s) => (
              <Button key={s} danger={s === 'CANCELLED' || s === 'REFUNDED'} loading={busy === s} disabled={busy !== null} onClick={() => void move(s)}>
                {t(`orders.to.${s}`)}
              </Button>
            ))}
          </Space>
        )}
      </Flex>
      <Card>
        <Descriptions
          column={{ xs: 1, md: 2 }}
          items={[
            {
              key: 'customer',
              label: t('orders.customer'),
              children: o.customer ? <Link to={`/customers/${o.customer.id}`}>{o.customer.name}</Link> : t('orders.deletedCustomer'),
            },
            { key: 'orderedAt', label: t('orders.orderedAt'), children: formatDateTime(o.orderedAt, language) },
            { key: 'channel', label: t('orders.channel'), children: t(`channel.${o.channel}`) },
            { key: 'total', label: t('orders.total'), children: formatMoney(o.total, language) },
            {
              key: 'base',
              label: t('orders.baseTotal'),
              children: baseTotal ? formatMoney(baseTotal, language) : base.error ? t('orders.noRate') : '…',
            },
            { key: 'deal', label: t('orders.deal'), children: o.deal ? <Link to={`/deals/${o.deal.id}`}>{o.deal.name}</Link> : '—' },
            { key: 'campaign', label: t('orders.campaign'), children: o.campaign || '—' },
            { key: 'updated', label: t('customers.updated'), children: formatDateTime(o.updatedAt, language) },
          ]}
        />
      </Card>
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('orders.lines')}</h2>} styles={{ body: { padding: 0 } }}>
        <Table<Line>
          rowKey="lineNo"
          dataSource={o.lines}
          pagination={false}
          scroll={{ x: 700 }}
          columns={[
            { title: '#', dataIndex: 'lineNo', key: 'lineNo', width: 60 },
            { title: t('products.name'), key: 'product', render: (_, l) => (l.product ? `${l.product.name} (${l.product.sku})` : '—') },
            { title: t('orders.quantity'), dataIndex: 'quantity', key: 'quantity', align: 'right' },
            { title: t('orders.unitPrice'), key: 'unitPrice', align: 'right', render: (_, l) => formatMoney(l.unitPrice, language) },
            { title: t('orders.discount'), dataIndex: 'discountPercent', key: 'discount', align: 'right', render: (v: string) => `${v} %` },
            { title: t('orders.total'), key: 'total', align: 'right', render: (_, l) => formatMoney(l.total, language) },
          ]}
        />
      </Card>
    </Flex>
  );
}
