import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Empty, Flex, Form, Input, InputNumber, Modal, Space, Switch, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { LoadError } from '../../components/PageState';
import type { ProductFieldsFragment } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { problemsOf } from '../../lib/errors';
import { formatMoney } from '../../lib/format';
import { usePermissions } from '../../lib/permissions';
import { CreatePriceListDocument, CreateProductDocument, ProductsDocument, SetPricesDocument, UpdateProductDocument } from './documents';
import { decimalText, isCurrency } from './money';

type Product = ProductFieldsFragment;
interface PriceListRow {
  id: string;
  name: string;
  currency: string;
}
interface ProductValues {
  sku: string;
  name: string;
  category?: string;
  unitCost?: number | null;
  costCurrency?: string;
  active: boolean;
  prices: Record<string, number | null | undefined>;
}

/** Products with their price in each price list; create, edit, set prices; create a price list. */
export default function ProductsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const language = currentLanguage();
  const { can } = usePermissions();
  const writable = can('products:write');
  const [query, reexecute] = useQuery({ query: ProductsDocument, variables: { first: 100 }, requestPolicy: 'cache-and-network' });
  // What the product dialog edits; kept while it closes, so its title stays during the animation.
  const [editing, setEditing] = useState<Product | 'new' | null>(null);
  const [productOpen, setProductOpen] = useState(false);
  const [listOpen, setListOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [, create] = useMutation(CreateProductDocument);
  const [, update] = useMutation(UpdateProductDocument);
  const [, setPrices] = useMutation(SetPricesDocument);
  const [, createList] = useMutation(CreatePriceListDocument);
  const [form] = Form.useForm<ProductValues>();
  const [listForm] = Form.useForm<{ name: string; currency: string }>();

  const products = query.data?.products.edges.map((e) => e.node) ?? [];
  const lists: PriceListRow[] = query.data?.priceLists.edges.map((e) => e.node) ?? [];
  const priceIn = (p: Product, listId: string) => p.prices.find((x) => x.priceListId === listId)?.unitPrice;

  const open = (p: Product | 'new') => {
    setEditing(p);
    setProductOpen(true);
    const prices: ProductValues['prices'] = {};
    for (const l of lists) {
      const v = p === 'new' ? undefined : priceIn(p, l.id);
      prices[l.id] = v ? Number(v.amount) : null;
    }
    form.setFieldsValue(
      p === 'new'
        ? { sku: '', name: '', category: '', unitCost: null, costCurrency: lists[0]?.currency ?? 'USD', active: true, prices }
        : {
            sku: p.sku,
            name: p.name,
            category: p.category ?? '',
            unitCost: p.unitCost ? Number(p.unitCost.amount) : null,
            costCurrency: p.unitCost?.currency ?? lists[0]?.currency ?? 'USD',
            active: p.active,
            prices,
          },
    );
  };

  const save = async (v: ProductValues) => {
    setBusy(true);
    const fields = {
      sku: v.sku.trim(),
      name: v.name.trim(),
      category: v.category?.trim() || null,
      unitCost: v.unitCost != null ? { amount: decimalText(v.unitCost), currency: (v.costCurrency ?? '').toUpperCase() } : null,
      active: v.active,
    };
    const r =
      editing === 'new'
        ? await create({ input: fields })
        : await update({ input: { id: (editing as Product).id, version: (editing as Product).version, ...fields } });
    const saved = r.data && ('createProduct' in r.data ? r.data.createProduct.product : r.data.updateProduct.product);
    if (r.error || !saved) {
      setBusy(false);
      problemsOf(r.error).forEach((p) => void message.error(p.message));
      return;
    }
    for (const l of lists) {
      const want = v.prices?.[l.id];
      const had = saved.prices.find((x) => x.priceListId === l.id)?.unitPrice.amount;
      if (want == null || (had !== undefined && Number(had) === want)) continue;
      const pr = await setPrices({ input: { priceListId: l.id, prices: [{ productId: saved.id, unitPrice: decimalText(want) }] } });
      if (pr.error) problemsOf(pr.error).forEach((p) => void message.error(`${l.name}: ${p.message}`));
    }
    setBusy(false);
    setProductOpen(false);
    void message.success(t('products.saved'));
    reexecute({ requestPolicy: 'network-only' });
  };

  const saveList = async (v: { name: string; currency: string }) => {
    setBusy(true);
    const r = await createList({ input: { name: v.name.trim(), currency: v.currency.trim().toUpperCase() } });
    setBusy(false);
    if (r.error) {
      problemsOf(r.error).forEach((p) => void message.error(p.message));
      return;
    }
    setListOpen(false);
    listForm.resetFields();
    void message.success(t('products.listCreated'));
    reexecute({ requestPolicy: 'network-only' });
  };

  const columns: ColumnsType<Product> = [
    { title: t('products.sku'), dataIndex: 'sku', key: 'sku' },
    {
      title: t('products.name'),
      dataIndex: 'name',
      key: 'name',
      render: (name: string, p) =>
        writable ? (
          <Button type="link" style={{ padding: 0 }} onClick={() => open(p)}>
            {name}
          </Button>
        ) : (
          name
        ),
    },
    { title: t('products.category'), dataIndex: 'category', key: 'category', render: (v?: string | null) => v || '—' },
    {
      title: t('products.status'),
      dataIndex: 'active',
      key: 'active',
      render: (a: boolean) => <Tag variant="solid" color={a ? '#237804' : '#595959'}>{a ? t('products.active') : t('products.inactive')}</Tag>,
    },
    { title: t('products.unitCost'), key: 'cost', render: (_, p) => formatMoney(p.unitCost, language) },
    ...lists.map((l) => ({
      title: `${l.name} (${l.currency})`,
      key: `price-${l.id}`,
      render: (_: unknown, p: Product) => formatMoney(priceIn(p, l.id), language),
    })),
  ];

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t('products.title')}
        </Typography.Title>
        {writable && (
          <Space wrap>
            <Button onClick={() => setListOpen(true)}>{t('products.newList')}</Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} disabled={!query.data}>
              {t('products.new')}
            </Button>
          </Space>
        )}
      </Flex>
      {lists.length > 0 && (
        <Typography.Text type="secondary" data-testid="price-lists">
          {t('products.lists', { lists: lists.map((l) => `${l.name} (${l.currency})`).join(', ') })}
        </Typography.Text>
      )}
      <Card styles={{ body: { padding: 0 } }}>
        {query.error && !query.data ? (
          <LoadError problems={problemsOf(query.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
        ) : (
          <Table<Product>
            rowKey="id"
            columns={columns}
            dataSource={products}
            loading={query.fetching && !query.data}
            pagination={false}
            scroll={{ x: 800 }}
            locale={{ emptyText: <Empty description={t('products.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
          />
        )}
      </Card>
      <Modal
        open={productOpen}
        title={editing === 'new' ? t('products.new') : t('products.edit')}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        forceRender
        onOk={() => form.submit()}
        onCancel={() => setProductOpen(false)}
      >
        <Form form={form} layout="vertical" onFinish={(v) => void save(v)}>
          <Form.Item name="sku" label={t('products.sku')} rules={[{ required: true, whitespace: true, message: t('products.skuRequired') }]}>
            <Input />
          </Form.Item>
          <Form.Item name="name" label={t('products.name')} rules={[{ required: true, whitespace: true, message: t('products.nameRequired') }]}>
            <Input />
          </Form.Item>
          <Form.Item name="category" label={t('products.category')}>
            <Input />
          </Form.Item>
          <Space align="start">
            <Form.Item name="unitCost" label={t('products.unitCost')}>
              <InputNumber min={0} step={0.01} style={{ width: 160 }} />
            </Form.Item>
            <Form.Item
              name="costCurrency"
              label={t('products.costCurrency')}
              rules={[{ validator: (_, v) => (!v || isCurrency(v) ? Promise.resolve() : Promise.reject(new Error(t('rates.currencyInvalid')))) }]}
            >
              <Input maxLength={3} style={{ width: 100 }} />
            </Form.Item>
          </Space>
          <Form.Item name="active" label={t('products.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
          {lists.length > 0 && <Typography.Title level={2} style={{ fontSize: 16 }}>{t('products.prices')}</Typography.Title>}
          {lists.map((l) => (
            <Form.Item key={l.id} name={['prices', l.id]} label={t('products.priceIn', { list: l.name, currency: l.currency })}>
              <InputNumber min={0} step={0.01} style={{ width: 200 }} />
            </Form.Item>
          ))}
        </Form>
      </Modal>
      <Modal
        open={listOpen}
        title={t('products.newList')}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        forceRender
        onOk={() => listForm.submit()}
        onCancel={() => setListOpen(false)}
      >
        <Form form={listForm} layout="vertical" onFinish={(v) => void saveList(v)}>
          <Form.Item name="name" label={t('products.listName')} rules={[{ required: true, whitespace: true, message: t('products.nameRequired') }]}>
            <Input />
          </Form.Item>
          <Form.Item
            name="currency"
            label={t('rates.currency')}
            rules={[{ validator: (_, v) => (isCurrency(v ?? '') ? Promise.resolve() : Promise.reject(new Error(t('rates.currencyInvalid')))) }]}
          >
            <Input maxLength={3} style={{ width: 100 }} />
          </Form.Item>
        </Form>
      </Modal>
    </Flex>
  );
}
