import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, DatePicker, Descriptions, Empty, Flex, Form, Input, InputNumber, Modal, Popconfirm, Radio, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from 'urql';
import { ProblemAlert } from '../../components/ProblemAlert';
import type { CampaignCostKind, CampaignFieldsFragment } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { problemsOf, splitByField, type ApiProblem } from '../../lib/errors';
import { formatDate, formatMoney } from '../../lib/format';
import { COST_KINDS, costTotals } from './campaigns';
import { AddCampaignCostDocument, RemoveCampaignCostDocument } from './documents';

type Cost = CampaignFieldsFragment['costs'][number];

interface CostValues {
  kind: CampaignCostKind;
  category: string;
  amount: string | null;
  currency: string;
  incurredOn: Dayjs | null;
  note?: string;
}

const COST_FIELDS = ['kind', 'category', 'amount', 'currency', 'incurredOn', 'note'] as const;

/** A campaign's planned and actual cost lines with their totals per currency; lines added and taken out. */
export function CampaignCosts({ campaign, writable, onChanged }: { campaign: CampaignFieldsFragment; writable: boolean; onChanged: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const language = currentLanguage();
  const [adding, setAdding] = useState(false);
  const [, removeCost] = useMutation(RemoveCampaignCostDocument);
  const totals = costTotals(campaign.costs);
  const list = (kind: CampaignCostKind) => (totals[kind].length ? totals[kind].map((m) => formatMoney(m, language)).join(' + ') : '—');

  const remove = async (c: Cost) => {
    const r = await removeCost({ id: c.id });
    if (!r.data) return problemsOf(r.error).forEach((p) => void message.error(p.message));
    void message.success(t('campaigns.costRemoved'));
    onChanged();
  };

  return (
    <Card
      size="small"
      title={t('campaigns.costs')}
      styles={{ body: { padding: 0 } }}
      extra={
        writable && (
          <Button icon={<PlusOutlined />} onClick={() => setAdding(true)}>
            {t('campaigns.addCost')}
          </Button>
        )
      }
    >
      <Descriptions
        size="small"
        column={{ xs: 1, md: 2 }}
        style={{ padding: '12px 16px' }}
        items={[
          { key: 'planned', label: t('costKind.PLANNED'), children: <span data-testid="cost-planned">{list('PLANNED')}</span> },
          { key: 'actual', label: t('costKind.ACTUAL'), children: <span data-testid="cost-actual">{list('ACTUAL')}</span> },
        ]}
      />
      <Table<Cost>
        rowKey="id"
        size="small"
        dataSource={campaign.costs}
        pagination={false}
        scroll={{ x: 700 }}
        data-testid="campaign-costs"
        columns={[
          { title: t('campaigns.incurredOn'), key: 'on', render: (_, c) => formatDate(`${c.incurredOn}T12:00:00Z`, language) },
          { title: t('campaigns.costKind'), key: 'kind', render: (_, c) => t(`costKind.${c.kind}`) },
          { title: t('campaigns.category'), dataIndex: 'category', key: 'category' },
          { title: t('campaigns.amount'), key: 'amount', align: 'right', render: (_, c) => formatMoney(c.amount, language) },
          { title: t('campaigns.note'), key: 'note', render: (_, c) => c.note ?? '' },
          ...(writable
            ? [
                {
                  title: <span className="visually-hidden">{t('campaigns.actions')}</span>,
                  key: 'actions',
                  width: 64,
                  render: (_: unknown, c: Cost) => (
                    <Popconfirm
                      title={t('campaigns.removeCostConfirm', { category: c.category })}
                      okText={t('campaigns.remove')}
                      okButtonProps={{ danger: true }}
                      cancelText={t('common.cancel')}
                      onConfirm={() => remove(c)}
                    >
                      <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('campaigns.removeCost', { category: c.category })} />
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
        locale={{ emptyText: <Empty description={t('campaigns.noCosts')} image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
      />
      {writable && <CostDialog open={adding} campaign={campaign} onClose={() => setAdding(false)} onChanged={onChanged} />}
    </Card>
  );
}

function CostDialog({ open, campaign, onClose, onChanged }: { open: boolean; campaign: CampaignFieldsFragment; onClose: () => void; onChanged: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<CostValues>();
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const [{ fetching }, add] = useMutation(AddCampaignCostDocument);
  const currency = campaign.budget?.currency ?? campaign.expectedRevenue?.currency ?? campaign.costs[0]?.amount.currency ?? '';
  const initialValues: CostValues = { kind: 'ACTUAL', category: '', amount: null, currency, incurredOn: dayjs(), note: '' };

  const close = () => {
    setProblems([]);
    onClose();
  };
  const submit = async (v: CostValues) => {
    setProblems([]);
    const r = await add({
      input: {
        campaignId: campaign.id,
        kind: v.kind,
        category: v.category.trim(),
        amount: { amount: String(v.amount ?? ''), currency: v.currency.trim().toUpperCase() },
        incurredOn: (v.incurredOn ?? dayjs()).format('YYYY-MM-DD'),
        note: v.note?.trim() || null,
      },
    });
    if (r.data) {
      void message.success(t('campaigns.costAdded'));
      onChanged();
      close();
      return;
    }
    // `amount.currency` is the currency field, `amount.amount` the amount.
    const renamed = problemsOf(r.error).map((p) => (p.field?.endsWith('amount.currency') ? { ...p, field: 'currency', message: p.message.replace(/^amount\.currency: /, '') } : p));
    const { fields, general } = splitByField(renamed, COST_FIELDS);
    form.setFields(Object.entries(fields).map(([name, errors]) => ({ name: name as keyof CostValues, errors })));
    setProblems(general);
  };

  return (
    <Modal open={open} title={t('campaigns.addCostTitle', { name: campaign.name })} footer={null} maskClosable={false} destroyOnHidden onCancel={close}>
      <ProblemAlert problems={problems} />
      <Form<CostValues>
        form={form}
        layout="vertical"
        name="campaign-cost"
        initialValues={initialValues}
        onFinish={(v) => void submit(v)}
        onValuesChange={(changed: Partial<CostValues>) => form.setFields(Object.keys(changed).map((name) => ({ name: name as keyof CostValues, errors: [] })))}
        requiredMark
      >
        <Form.Item name="kind" label={t('campaigns.costKind')}>
          <Radio.Group optionType="button" options={COST_KINDS.map((k) => ({ value: k, label: t(`costKind.${k}`) }))} />
        </Form.Item>
        <Form.Item name="category" label={t('campaigns.category')} extra={t('campaigns.categoryHint')} rules={[{ required: true, whitespace: true, message: t('auth.required') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Flex gap={16}>
          <Form.Item name="amount" label={t('campaigns.amount')} style={{ flex: 1 }} rules={[{ required: true, message: t('auth.required') }]}>
            <InputNumber<string> stringMode min="0" style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item
            name="currency"
            label={t('campaigns.currency')}
            style={{ width: 120 }}
            normalize={(v: string) => v.toUpperCase()}
            rules={[{ required: true, pattern: /^[A-Za-z]{3}$/, message: t('campaigns.currencyHint') }]}
          >
            <Input maxLength={3} />
          </Form.Item>
        </Flex>
        <Form.Item name="incurredOn" label={t('campaigns.incurredOn')} rules={[{ required: true, message: t('auth.required') }]}>
          <DatePicker />
        </Form.Item>
        <Form.Item name="note" label={t('campaigns.note')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Typography.Paragraph type="secondary">{t('campaigns.costRateHint')}</Typography.Paragraph>
        <Flex justify="end" gap={8}>
          <Button onClick={close}>{t('common.cancel')}</Button>
          <Button type="primary" htmlType="submit" loading={fetching}>
            {t('campaigns.addCost')}
          </Button>
        </Flex>
      </Form>
    </Modal>
  );
}
