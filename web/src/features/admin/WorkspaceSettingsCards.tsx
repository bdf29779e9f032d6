import { ReloadOutlined } from '@ant-design/icons';
import { App, Button, Card, Descriptions, Flex, Form, InputNumber, Space, Switch, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { stringifyDocument } from '@urql/core';
import { LoadError, Loading } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import type { CasePriority, CaseServiceLevelsQuery } from '../../gql/graphql';
import { apiFetch, GRAPHQL_ENDPOINT } from '../../lib/client';
import { problemsOf, type ApiProblem } from '../../lib/errors';
import { formatNumber } from '../../lib/format';
import { currentLanguage } from '../../i18n';
import { formatDuration } from '../sales/labels';
import { PRIORITY_COLORS } from '../service/cases';
import { CaseServiceLevelsDocument, SetCaseServiceLevelDocument } from '../service/documents';
import { MeDocument } from '../auth/documents';
import { CustomerValueSettingsDocument, UpdateCustomerValueSettingsDocument } from './documents';
import { quotaOf, valueSettingsField, valueSettingsInput, valueSettingsValuesOf, type Quota, type ValueSettingsValues } from './settings';

const VALUE_FIELDS = ['tierAPercent', 'tierBPercent', 'horizonMonths', 'discountPercent', 'scheduleEnabled', 'scheduleIntervalHours'];

/** How customer value is computed: tier shares, prediction horizon, discount rate and the recompute schedule. */
export function ValueSettingsCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<ValueSettingsValues>();
  const [settings, reexecute] = useQuery({ query: CustomerValueSettingsDocument });
  const [{ fetching }, update] = useMutation(UpdateCustomerValueSettingsDocument);
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const s = settings.data?.customerValueSettings;
  const scheduled = Form.useWatch('scheduleEnabled', form) ?? s?.scheduleEnabled;

  if (settings.error && !settings.data)
    return (
      <Card title={t('valueSettings.title')}>
        <LoadError problems={problemsOf(settings.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
      </Card>
    );
  if (!s) return <Loading />;

  const submit = async (v: ValueSettingsValues) => {
    setProblems([]);
    const input = valueSettingsInput(s, v);
    if (Object.keys(input).length === 0) return void message.info(t('valueSettings.unchanged'));
    const r = await update({ input });
    if (r.data) {
      void message.success(t('admin.settingsSaved'));
      return;
    }
    const fields: Record<string, string[]> = {};
    const general: ApiProblem[] = [];
    for (const p of problemsOf(r.error)) {
      const name = p.field ? valueSettingsField(p.field) : '';
      const text = p.field && p.message.startsWith(`${p.field}: `) ? p.message.slice(p.field.length + 2) : p.message;
      if (VALUE_FIELDS.includes(name)) (fields[name] ??= []).push(text);
      else general.push(p);
    }
    form.setFields(Object.entries(fields).map(([name, errors]) => ({ name: name as keyof ValueSettingsValues, errors })));
    setProblems(general);
  };

  return (
    <Card title={t('valueSettings.title')} data-testid="value-settings">
      <Typography.Paragraph type="secondary">{t('valueSettings.hint')}</Typography.Paragraph>
      <ProblemAlert problems={problems} />
      <Form<ValueSettingsValues>
        key={s.version}
        form={form}
        layout="vertical"
        name="value-settings"
        initialValues={valueSettingsValuesOf(s)}
        onFinish={(v) => void submit(v)}
        onValuesChange={(changed: Partial<ValueSettingsValues>) =>
          form.setFields(Object.keys(changed).map((name) => ({ name: name as keyof ValueSettingsValues, errors: [] })))
        }
      >
        <Flex gap={16} wrap>
          <Form.Item name="tierAPercent" label={t('valueSettings.tierA')} extra={t('valueSettings.tierAHint')} style={{ width: 200 }}>
            <InputNumber min={1} max={99} step={1} addonAfter="%" style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="tierBPercent" label={t('valueSettings.tierB')} extra={t('valueSettings.tierBHint')} style={{ width: 200 }}>
            <InputNumber min={0} max={99} step={1} addonAfter="%" style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="horizonMonths" label={t('valueSettings.horizon')} style={{ width: 200 }}>
            <InputNumber min={1} max={120} precision={0} addonAfter={t('valueSettings.months')} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="discountPercent" label={t('valueSettings.discount')} style={{ width: 200 }}>
            <InputNumber min={0} max={100} step={1} addonAfter="%" style={{ width: '100%' }} />
          </Form.Item>
        </Flex>
        <Flex gap={16} wrap align="end">
          <Form.Item name="scheduleEnabled" label={t('valueSettings.schedule')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="scheduleIntervalHours" label={t('valueSettings.interval')} style={{ width: 200 }}>
            <InputNumber min={1} max={8760} precision={0} disabled={!scheduled} addonAfter={t('valueSettings.hours')} style={{ width: '100%' }} />
          </Form.Item>
        </Flex>
        <Button type="primary" htmlType="submit" loading={fetching}>
          {t('common.save')}
        </Button>
      </Form>
    </Card>
  );
}

type Level = CaseServiceLevelsQuery['caseServiceLevels'][number];

/** Minutes to the first response and to resolution, per priority; the product defaults until a priority is set. */
export function ServiceLevelsCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [levels, reexecute] = useQuery({ query: CaseServiceLevelsDocument });
  const [{ fetching }, save] = useMutation(SetCaseServiceLevelDocument);
  const [editing, setEditing] = useState<Record<string, { first: number | null; resolution: number | null }>>({});
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const rows = levels.data?.caseServiceLevels ?? [];

  if (levels.error && !levels.data)
    return (
      <Card title={t('serviceLevels.title')}>
        <LoadError problems={problemsOf(levels.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
      </Card>
    );

  const valueOf = (l: Level) => editing[l.priority] ?? { first: l.firstResponseMinutes, resolution: l.resolutionMinutes };
  const edit = (p: CasePriority, patch: Partial<{ first: number | null; resolution: number | null }>, l: Level) =>
    setEditing((e) => ({ ...e, [p]: { ...valueOf(l), ...patch } }));
  const submit = async (l: Level) => {
    setProblems([]);
    const v = valueOf(l);
    const r = await save({
      input: { priority: l.priority, firstResponseMinutes: v.first ?? 0, resolutionMinutes: v.resolution ?? 0 },
    });
    if (!r.data) return setProblems(problemsOf(r.error));
    setEditing((e) => {
      const next = { ...e };
      delete next[l.priority];
      return next;
    });
    void message.success(t('serviceLevels.saved', { priority: t(`casePriority.${l.priority}`) }));
  };
  const minutesInput = (l: Level, key: 'first' | 'resolution', label: string) => (
    <Space direction="vertical" size={0}>
      <InputNumber
        aria-label={t('serviceLevels.minutesOf', { what: label, priority: t(`casePriority.${l.priority}`) })}
        min={1}
        precision={0}
        value={valueOf(l)[key]}
        onChange={(v) => edit(l.priority, { [key]: v }, l)}
        addonAfter={t('serviceLevels.minutes')}
        style={{ width: 170 }}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {valueOf(l)[key] ? formatDuration((valueOf(l)[key] ?? 0) * 60, t) : ''}
      </Typography.Text>
    </Space>
  );

  return (
    <Card title={t('serviceLevels.title')} data-testid="service-level-settings">
      <Typography.Paragraph type="secondary">{t('serviceLevels.hint')}</Typography.Paragraph>
      <ProblemAlert problems={problems} />
      <Table<Level>
        size="small"
        rowKey="priority"
        loading={levels.fetching && !levels.data}
        pagination={false}
        dataSource={rows}
        scroll={{ x: 640 }}
        columns={[
          {
            title: t('cases.priority'),
            key: 'priority',
            render: (_, l) => (
              <Space>
                <Tag variant="solid" color={PRIORITY_COLORS[l.priority]}>
                  {t(`casePriority.${l.priority}`)}
                </Tag>
                {l.isDefault && <Typography.Text type="secondary">{t('serviceLevels.default')}</Typography.Text>}
              </Space>
            ),
          },
          { title: t('serviceLevels.firstResponse'), key: 'first', render: (_, l) => minutesInput(l, 'first', t('serviceLevels.firstResponse')) },
          { title: t('serviceLevels.resolution'), key: 'resolution', render: (_, l) => minutesInput(l, 'resolution', t('serviceLevels.resolution')) },
          {
            title: <span className="visually-hidden">{t('campaigns.actions')}</span>,
            key: 'save',
            render: (_, l) => (
              <Button disabled={!editing[l.priority]} loading={fetching} onClick={() => void submit(l)}>
                {t('serviceLevels.save', { priority: t(`casePriority.${l.priority}`) })}
              </Button>
            ),
          },
        ]}
      />
    </Card>
  );
}

// A query the server counts like any other, to read the allowance from its headers.
const PROBE = stringifyDocument(MeDocument);

/** The signed-in user's request allowance: the plan's requests per minute, what is left of the burst, when it is whole again. */
export function RateLimitCard({ plan }: { plan: string }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const [quota, setQuota] = useState<Quota | null>(null);
  const [state, setState] = useState<'loading' | 'done' | 'uncounted' | 'failed'>('loading');
  const [checkedAt, setCheckedAt] = useState<Date | null>(null);
  const check = useCallback(async () => {
    setState('loading');
    try {
      const response = await apiFetch(GRAPHQL_ENDPOINT, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' },
        body: JSON.stringify({ query: PROBE }),
      });
      const q = quotaOf(response.headers);
      setQuota(q);
      setState(q ? 'done' : 'uncounted');
    } catch {
      setState('failed');
    }
    setCheckedAt(new Date());
  }, []);
  useEffect(() => {
    void check();
  }, [check]);

  return (
    <Card
      title={t('rateLimit.title')}
      data-testid="rate-limit"
      extra={
        <Button icon={<ReloadOutlined />} loading={state === 'loading'} onClick={() => void check()}>
          {t('rateLimit.check')}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">{t('rateLimit.hint')}</Typography.Paragraph>
      <Descriptions
        column={{ xs: 1, md: 2 }}
        size="small"
        items={[
          { key: 'plan', label: t('admin.plan'), children: plan },
          ...(quota
            ? [
                {
                  key: 'limit',
                  label: t('rateLimit.limit'),
                  children: <span data-testid="rate-limit-limit">{t('rateLimit.perMinute', { value: formatNumber(quota.limit, language) })}</span>,
                },
                { key: 'remaining', label: t('rateLimit.remaining'), children: <span data-testid="rate-limit-remaining">{formatNumber(quota.remaining, language)}</span> },
                { key: 'reset', label: t('rateLimit.reset'), children: t('rateLimit.seconds', { count: quota.resetSeconds }) },
              ]
            : []),
        ]}
      />
      {state === 'uncounted' && <Typography.Text type="secondary">{t('rateLimit.uncounted')}</Typography.Text>}
      {state === 'failed' && <ProblemAlert problems={[{ code: 'NETWORK', message: t('rateLimit.failed') }]} />}
      {checkedAt && state !== 'loading' && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('rateLimit.checkedAt', { time: checkedAt.toLocaleTimeString(language) })}
        </Typography.Text>
      )}
    </Card>
  );
}
