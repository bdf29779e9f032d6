import { Button, Card, DatePicker, Empty, Flex, Input, Select, Space, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useQuery } from 'urql';
import { LoadError } from '../../components/PageState';
import type { OrderRowFieldsFragment } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { useAddressState } from '../../lib/addressState';
import { problemsOf } from '../../lib/errors';
import { formatDate, formatMoney } from '../../lib/format';
import { OrdersDocument } from './documents';
import { CHANNELS, ORDER_STATUSES, orderFilterOf, ORDERS_STATE, type OrdersState } from './ordersState';

const PAGE = 20;
// Dark enough for white text (WCAG AA contrast).
export const STATUS_COLORS: Record<string, string> = { PLACED: '#0958d9', PAID: '#006d75', SHIPPED: '#237804', CANCELLED: '#595959', REFUNDED: '#ad4e00' };

/** Every order of the workspace, filtered by status, channel, currency and dates, newest first. */
export default function OrdersPage() {
  const { t } = useTranslation();
  const language = currentLanguage();
  const [state, changeState] = useAddressState(ORDERS_STATE);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const change = (patch: Partial<OrdersState>) => {
    setCursors([null]);
    changeState(patch);
  };
  const variables = useMemo(
    () => ({
      first: PAGE,
      after: cursors[cursors.length - 1],
      filter: orderFilterOf(state),
      orderBy: { field: 'ORDERED_AT' as const, direction: state.oldestFirst ? ('ASC' as const) : ('DESC' as const) },
    }),
    [state, cursors],
  );
  const [orders, reexecute] = useQuery({ query: OrdersDocument, variables, requestPolicy: 'cache-and-network' });
  const rows = orders.data?.orders.edges.map((e) => e.node) ?? [];
  const total = orders.data?.orders.totalCount ?? 0;
  const filtered = orderFilterOf(state) !== null;

  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {t('orders.title')}
      </Typography.Title>
      <Card>
        <Flex wrap gap={8} align="center" role="group" aria-label={t('customers.filters')}>
          <Select
            mode="multiple"
            allowClear
            aria-label={t('orders.status')}
            data-testid="filter-order-status"
            placeholder={t('orders.anyStatus')}
            style={{ minWidth: 220 }}
            value={state.statuses}
            onChange={(statuses) => change({ statuses })}
            options={ORDER_STATUSES.map((s) => ({ value: s, label: t(`orderStatus.${s}`) }))}
          />
          <Select
            allowClear
            aria-label={t('orders.channel')}
            placeholder={t('orders.anyChannel')}
            style={{ minWidth: 160 }}
            value={state.channel || undefined}
            onChange={(channel) => change({ channel: channel ?? '' })}
            options={CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }))}
          />
          <Input
            key={`cur-${state.currency}`}
            aria-label={t('rates.currency')}
            placeholder={t('rates.currency')}
            defaultValue={state.currency}
            maxLength={3}
            allowClear
            style={{ width: 110 }}
            onPressEnter={(e) => change({ currency: e.currentTarget.value.trim().toUpperCase() })}
            onBlur={(e) => e.target.value.trim().toUpperCase() !== state.currency && change({ currency: e.target.value.trim().toUpperCase() })}
          />
          <DatePicker.RangePicker
            aria-label={t('orders.dates')}
            allowEmpty={[true, true]}
            value={[state.from ? dayjs(state.from) : null, state.to ? dayjs(state.to) : null]}
            onChange={(v) => change({ from: v?.[0]?.format('YYYY-MM-DD') ?? '', to: v?.[1]?.format('YYYY-MM-DD') ?? '' })}
          />
          <Select
            aria-label={t('orders.sort')}
            value={state.oldestFirst ? 'oldest' : 'newest'}
            onChange={(v) => change({ oldestFirst: v === 'oldest' })}
            options={[
              { value: 'newest', label: t('orders.newest') },
              { value: 'oldest', label: t('orders.oldest') },
            ]}
          />
        </Flex>
      </Card>
      <Card styles={{ body: { padding: 0 } }}>
        {orders.error && !orders.data ? (
          <LoadError problems={problemsOf(orders.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
        ) : (
          <Table<OrderRowFieldsFragment>
            rowKey="id"
            dataSource={rows}
            loading={orders.fetching && !orders.data}
            pagination={false}
            scroll={{ x: 800 }}
            columns={[
              {
                title: t('orders.order'),
                key: 'id',
                render: (_, o) => <Link to={`/orders/${o.id}`}>{o.externalId || t('orders.orderOn', { date: formatDate(o.orderedAt, language) })}</Link>,
              },
              {
                title: t('orders.customer'),
                key: 'customer',
                render: (_, o) => (o.customer ? <Link to={`/customers/${o.customer.id}`}>{o.customer.name}</Link> : t('orders.deletedCustomer')),
              },
              { title: t('orders.orderedAt'), dataIndex: 'orderedAt', key: 'orderedAt', render: (v: string) => formatDate(v, language) },
              { title: t('orders.channel'), dataIndex: 'channel', key: 'channel', render: (c: string) => t(`channel.${c}`) },
              {
                title: t('orders.status'),
                dataIndex: 'status',
                key: 'status',
                render: (s: string) => <Tag variant="solid" color={STATUS_COLORS[s]}>{t(`orderStatus.${s}`)}</Tag>,
              },
              { title: t('orders.total'), key: 'total', align: 'right', render: (_, o) => formatMoney(o.total, language) },
            ]}
            locale={{ emptyText: <Empty description={filtered ? t('orders.emptyFiltered') : t('orders.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
          />
        )}
        {total > 0 && (
          <Flex justify="space-between" align="center" style={{ padding: 16 }} wrap gap={8}>
            <Typography.Text type="secondary" data-testid="order-total">
              {t('common.total', { count: total })}
            </Typography.Text>
            <Space>
              <Button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
                {t('common.previous')}
              </Button>
              <Button
                disabled={!orders.data?.orders.pageInfo.hasNextPage}
                onClick={() => setCursors([...cursors, orders.data?.orders.pageInfo.endCursor ?? null])}
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
