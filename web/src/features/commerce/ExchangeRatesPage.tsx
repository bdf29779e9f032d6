import { App, Button, Card, DatePicker, Empty, Flex, Form, Input, InputNumber, Space, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { LoadError } from '../../components/PageState';
import { currentLanguage } from '../../i18n';
import { problemsOf } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { usePermissions } from '../../lib/permissions';
import { ExchangeRatesDocument, SetExchangeRateDocument } from './documents';
import { decimalText, isCurrency } from './money';

const PAGE = 50;

/**
 * Exchange rates into the workspace's base currency: the list, and setting
 * one (orders in another currency count, and leads convert, only with a
 * rate in force).
 */
export default function ExchangeRatesPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const language = currentLanguage();
  const { can } = usePermissions();
  const [first, setFirst] = useState(PAGE);
  const [rates, reexecute] = useQuery({ query: ExchangeRatesDocument, variables: { first }, requestPolicy: 'cache-and-network' });
  const [saving, setSaving] = useState(false);
  const [, setRate] = useMutation(SetExchangeRateDocument);
  const [form] = Form.useForm<{ currency: string; rate: number; validFrom: Dayjs }>();
  const rows = rates.data?.exchangeRates.edges.map((e) => e.node) ?? [];

  const save = async (v: { currency: string; rate: number; validFrom: Dayjs }) => {
    setSaving(true);
    const r = await setRate({
      input: { currency: v.currency.trim().toUpperCase(), rate: decimalText(v.rate, 12), validFrom: v.validFrom.format('YYYY-MM-DD') },
    });
    setSaving(false);
    if (r.error) {
      problemsOf(r.error).forEach((p) => void message.error(p.message));
      return;
    }
    void message.success(t('rates.saved'));
    form.resetFields(['currency', 'rate']);
    reexecute({ requestPolicy: 'network-only' });
  };

  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {t('rates.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t('rates.help')}
      </Typography.Paragraph>
      {can('exchange_rates:write') && (
        <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('rates.set')}</h2>}>
          <Form form={form} layout="inline" initialValues={{ validFrom: dayjs() }} onFinish={(v) => void save(v)}>
            <Form.Item
              name="currency"
              label={t('rates.currency')}
              rules={[{ validator: (_, v) => (isCurrency(v ?? '') ? Promise.resolve() : Promise.reject(new Error(t('rates.currencyInvalid')))) }]}
            >
              <Input maxLength={3} style={{ width: 90 }} />
            </Form.Item>
            <Form.Item name="rate" label={t('rates.rate')} rules={[{ required: true, message: t('rates.rateRequired') }]}>
              <InputNumber min={0.000001} step={0.01} style={{ width: 160 }} />
            </Form.Item>
            <Form.Item name="validFrom" label={t('rates.validFrom')} rules={[{ required: true, message: t('rates.validFromRequired') }]}>
              <DatePicker allowClear={false} />
            </Form.Item>
            <Form.Item>
              <Button type="primary" htmlType="submit" loading={saving}>
                {t('rates.setButton')}
              </Button>
            </Form.Item>
          </Form>
        </Card>
      )}
      <Card styles={{ body: { padding: 0 } }}>
        {rates.error && !rates.data ? (
          <LoadError problems={problemsOf(rates.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
        ) : (
          <Table
            rowKey={(r) => `${r.currency}-${r.validFrom}`}
            dataSource={rows}
            loading={rates.fetching && !rates.data}
            pagination={false}
            columns={[
              { title: t('rates.currency'), dataIndex: 'currency', key: 'currency' },
              { title: t('rates.rate'), dataIndex: 'rate', key: 'rate' },
              { title: t('rates.validFrom'), dataIndex: 'validFrom', key: 'validFrom' },
              { title: t('rates.updated'), dataIndex: 'updatedAt', key: 'updatedAt', render: (v: string) => formatDateTime(v, language) },
            ]}
            locale={{ emptyText: <Empty description={t('rates.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
          />
        )}
        {rates.data?.exchangeRates.pageInfo.hasNextPage && (
          <Space style={{ padding: 16 }}>
            <Button onClick={() => setFirst(first + PAGE)}>{t('common.more')}</Button>
          </Space>
        )}
      </Card>
    </Flex>
  );
}
