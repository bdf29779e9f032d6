import { Card, Empty, Form, Select, Table, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useQuery } from 'urql';
import { LoadError } from '../../components/PageState';
import type { CrossSellQuery } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { problemsOf } from '../../lib/errors';
import { formatNumber, formatPercent } from '../../lib/format';
import { SearchCustomersDocument } from '../customers/documents';
import { CrossSellDocument } from './documents';

type Recommendation = CrossSellQuery['crossSellRecommendations'][number];

/** Products the customer has not bought that buyers of the same products also bought, strongest rule first (`compact`: product, reason and confidence only). */
export function CrossSellList({ customerId, compact = false }: { customerId: string; compact?: boolean }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const [found, reexecute] = useQuery({ query: CrossSellDocument, variables: { customerId, first: 10 }, requestPolicy: 'cache-and-network' });
  if (found.error && !found.data)
    return <LoadError problems={problemsOf(found.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />;
  return (
    <Table<Recommendation>
      size="small"
      rowKey={(r) => r.product?.id ?? `${r.becauseOf?.id}-${r.lift}`}
      loading={found.fetching && !found.data}
      pagination={false}
      data-testid="cross-sell"
      dataSource={found.data?.crossSellRecommendations ?? []}
      scroll={compact ? undefined : { x: 640 }}
      columns={[
        { title: t('crossSell.product'), key: 'product', render: (_, r) => r.product?.name ?? '—' },
        { title: t('crossSell.becauseOf'), key: 'because', render: (_, r) => r.becauseOf?.name ?? '—' },
        { title: t('crossSell.confidence'), key: 'confidence', align: 'right', render: (_, r) => formatPercent(r.confidence, language) },
        ...(compact
          ? []
          : [
              { title: t('crossSell.lift'), key: 'lift', align: 'right' as const, render: (_: unknown, r: Recommendation) => formatNumber(r.lift, language, 2) },
              { title: t('crossSell.support'), key: 'support', align: 'right' as const, render: (_: unknown, r: Recommendation) => formatPercent(r.support, language) },
              {
                title: t('crossSell.customersWithBoth'),
                key: 'both',
                align: 'right' as const,
                render: (_: unknown, r: Recommendation) => formatNumber(r.customersWithBoth, language),
              },
            ]),
      ]}
      locale={{ emptyText: <Empty description={t('crossSell.none')} image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
    />
  );
}

/** Cross-sell suggestions for a customer picked by search. */
export function CrossSellPanel() {
  const { t } = useTranslation();
  const [typed, setTyped] = useState('');
  const [query, setQuery] = useState('');
  const [picked, setPicked] = useState<{ value: string; label: React.ReactNode } | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => setQuery(typed.trim()), 250);
    return () => clearTimeout(timer);
  }, [typed]);
  const [found] = useQuery({ query: SearchCustomersDocument, variables: { query, first: 20 }, pause: !query });

  return (
    <Card
      title={
        <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
          {t('crossSell.title')}
        </Typography.Title>
      }
      data-testid="cross-sell-panel"
    >
      <Typography.Paragraph type="secondary">{t('crossSell.hint')}</Typography.Paragraph>
      <Form layout="vertical">
        <Form.Item label={t('crossSell.customer')} htmlFor="cross-sell-customer" style={{ maxWidth: 420 }}>
          <Select<{ value: string; label: React.ReactNode }>
            id="cross-sell-customer"
            labelInValue
            showSearch
            allowClear
            filterOption={false}
            data-testid="cross-sell-customer"
            placeholder={t('segments.pickHint')}
            searchValue={typed}
            onSearch={setTyped}
            value={picked ?? undefined}
            onChange={(v) => {
              setPicked(v ?? null);
              setTyped('');
            }}
            loading={found.fetching}
            notFoundContent={null}
            options={(query ? (found.data?.searchCustomers ?? []) : []).map((c) => ({ value: c.id, label: c.name }))}
          />
        </Form.Item>
      </Form>
      {picked ? (
        <>
          <CrossSellList customerId={picked.value} />
          <Typography.Paragraph style={{ marginTop: 8 }}>
            <Link to={`/customers/${picked.value}`}>{t('crossSell.open', { name: String(picked.label) })}</Link>
          </Typography.Paragraph>
        </>
      ) : (
        <Empty description={t('crossSell.pick')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      )}
    </Card>
  );
}
