import { Button, DatePicker, Flex, Form, Input, InputNumber, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { FormProblems } from '../../components/FormProblems';
import type { CampaignFieldsFragment } from '../../gql/graphql';
import { problemsOf, type ApiProblem } from '../../lib/errors';
import { useSession } from '../../lib/useSession';
import { MeDocument } from '../auth/documents';
import { MembersDocument } from '../sales/documents';
import {
  CAMPAIGN_KINDS,
  campaignFormField,
  campaignValuesOf,
  createCampaignInput,
  updateCampaignInput,
  type CampaignFormValues,
} from './campaigns';
import { CreateCampaignDocument, ProgrammeOptionsDocument, UpdateCampaignDocument } from './documents';

const FORM_FIELDS = [
  'name',
  'code',
  'kind',
  'objective',
  'parentId',
  'ownerId',
  'startsOn',
  'endsOn',
  'currency',
  'budget',
  'expectedRevenue',
  'expectedResponses',
] as const;

// Dates are `YYYY-MM-DD` in the form's values; the picker works with Dayjs.
const dateProps = {
  getValueProps: (v: string | null | undefined) => ({ value: v ? dayjs(v) : null }),
  normalize: (d: Dayjs | null) => (d ? d.format('YYYY-MM-DD') : null),
};

interface Props {
  /** The campaign being edited; absent to plan one. */
  campaign?: CampaignFieldsFragment;
  /** A new campaign's programme. */
  parent?: { id: string; name: string };
  onSaved: (campaign: CampaignFieldsFragment) => void;
  onCancel: () => void;
  /** Reads the campaign again after a version conflict. */
  onReload?: () => void;
}

/**
 * Plans or changes a campaign. The API checks the values: its validation
 * errors (a code already taken, an end before the start) appear on their
 * fields, a stale version as a conflict to reload.
 */
export function CampaignForm({ campaign, parent, onSaved, onCancel, onReload }: Props) {
  const { t } = useTranslation();
  const session = useSession();
  const [me] = useQuery({ query: MeDocument });
  const baseCurrency = me.data?.me.tenant.baseCurrency ?? 'USD';
  const [form] = Form.useForm<CampaignFormValues>();
  const [members] = useQuery({ query: MembersDocument });
  const [programmeName, setProgrammeName] = useState('');
  const [programmes] = useQuery({ query: ProgrammeOptionsDocument, variables: { name: programmeName || null } });
  const [created, create] = useMutation(CreateCampaignDocument);
  const [updated, update] = useMutation(UpdateCampaignDocument);
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const saving = created.fetching || updated.fetching;

  const initialValues: CampaignFormValues = campaign
    ? campaignValuesOf(campaign, baseCurrency)
    : { name: '', code: '', kind: 'EMAIL', objective: '', parentId: parent?.id ?? null, ownerId: session?.user.id ?? null, currency: baseCurrency };

  const submit = async () => {
    setProblems([]);
    const values = { ...initialValues, ...(form.getFieldsValue(true) as CampaignFormValues) };
    const result = campaign
      ? await update({ input: updateCampaignInput(campaign, values) })
      : await create({ input: createCampaignInput(values) });
    const saved = result.data && ('updateCampaign' in result.data ? result.data.updateCampaign : result.data.createCampaign).campaign;
    if (saved) return onSaved(saved);
    const fields: Record<string, string[]> = {};
    const general: ApiProblem[] = [];
    for (const p of problemsOf(result.error)) {
      const name = p.field ? campaignFormField(p.field) : undefined;
      const message = p.field && p.message.startsWith(`${p.field}: `) ? p.message.slice(p.field.length + 2) : p.message;
      // A code taken is a conflict on its field; a stale version is the form's own conflict.
      if (name && name !== 'version' && (FORM_FIELDS as readonly string[]).includes(name)) (fields[name] ??= []).push(message);
      else general.push(p);
    }
    form.setFields(Object.entries(fields).map(([name, errors]) => ({ name: name as keyof CampaignFormValues, errors })));
    setProblems(general);
  };

  const ownerOptions = (members.data?.members ?? []).map((m) => ({ value: m.user.id, label: m.user.displayName || m.user.email }));
  const programmeOptions = (programmes.data?.campaigns.edges ?? [])
    .map((e) => e.node)
    .filter((c) => c.id !== campaign?.id)
    .map((c) => ({ value: c.id, label: c.name }));
  // The current programme (which may itself belong to one) stays a named option while the search shows others.
  const current = campaign ? campaign.parent : parent;
  if (current && !programmeOptions.some((o) => o.value === current.id)) programmeOptions.unshift({ value: current.id, label: current.name });

  return (
    <Form<CampaignFormValues>
      form={form}
      layout="vertical"
      name={campaign ? 'edit-campaign' : 'new-campaign'}
      initialValues={initialValues}
      onFinish={() => void submit()}
      // A server error on a field goes once the field changes.
      onValuesChange={(changed: Partial<CampaignFormValues>) =>
        form.setFields(Object.keys(changed).map((name) => ({ name: name as keyof CampaignFormValues, errors: [] })))
      }
      requiredMark
    >
      <FormProblems problems={problems} conflictMessage={t('campaigns.conflict')} onReload={onReload} />
      <Flex gap={16} wrap>
        <Form.Item
          name="name"
          label={t('campaigns.name')}
          style={{ flex: '2 1 280px' }}
          rules={[{ required: true, whitespace: true, message: t('auth.required') }]}
        >
          <Input autoFocus maxLength={200} />
        </Form.Item>
        <Form.Item name="code" label={t('campaigns.code')} style={{ flex: '1 1 180px' }} extra={campaign ? undefined : t('campaigns.codeHint')}>
          <Input maxLength={200} disabled={!!campaign} />
        </Form.Item>
      </Flex>
      <Flex gap={16} wrap>
        <Form.Item name="kind" label={t('campaigns.kind')} style={{ flex: '1 1 180px' }}>
          <Select options={CAMPAIGN_KINDS.map((k) => ({ value: k, label: t(`campaignKind.${k}`) }))} />
        </Form.Item>
        <Form.Item name="ownerId" label={t('campaigns.owner')} style={{ flex: '1 1 200px' }}>
          <Select allowClear loading={members.fetching} options={ownerOptions} />
        </Form.Item>
        <Form.Item name="parentId" label={t('campaigns.programme')} style={{ flex: '1 1 220px' }}>
          <Select
            allowClear
            showSearch
            filterOption={false}
            onSearch={setProgrammeName}
            loading={programmes.fetching}
            placeholder={t('campaigns.noProgramme')}
            options={programmeOptions}
          />
        </Form.Item>
      </Flex>
      <Form.Item name="objective" label={t('campaigns.objective')}>
        <Input.TextArea rows={2} maxLength={2000} />
      </Form.Item>
      <Flex gap={16} wrap>
        <Form.Item name="startsOn" label={t('campaigns.startsOn')} {...dateProps}>
          <DatePicker />
        </Form.Item>
        <Form.Item name="endsOn" label={t('campaigns.endsOn')} {...dateProps}>
          <DatePicker />
        </Form.Item>
      </Flex>
      <Flex gap={16} wrap>
        <Form.Item
          name="currency"
          label={t('campaigns.currency')}
          style={{ width: 120 }}
          normalize={(v: string) => v.toUpperCase()}
          rules={[{ pattern: /^[A-Za-z]{3}$/, message: t('campaigns.currencyHint') }]}
        >
          <Input maxLength={3} />
        </Form.Item>
        <Form.Item name="budget" label={t('campaigns.budget')} style={{ flex: '1 1 160px' }}>
          <InputNumber<string> stringMode min="0" style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="expectedRevenue" label={t('campaigns.expectedRevenue')} style={{ flex: '1 1 160px' }}>
          <InputNumber<string> stringMode min="0" style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="expectedResponses" label={t('campaigns.expectedResponses')} style={{ flex: '1 1 140px' }}>
          <InputNumber min={0} precision={0} style={{ width: '100%' }} />
        </Form.Item>
      </Flex>
      <Flex justify="end" gap={8}>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={saving}>
          {t('common.save')}
        </Button>
      </Flex>
    </Form>
  );
}
