import { App, Alert, Button, Card, DatePicker, Flex, Form, Input, Modal, Popconfirm, Select, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { LoadError } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import type { ApiKeyFieldsFragment } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { problemsOf, splitByField, type ApiProblem } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { usePermissions } from '../../lib/permissions';
import { ApiKeysDocument, CreateApiKeyDocument, RevokeApiKeyDocument } from './documents';
import { useReportProblems } from './MembersTab';

interface Values {
  name: string;
  scopes: string[];
  expiresAt?: Dayjs | null;
}

/** API keys: created with scopes (the secret shown once), listed without secrets, revoked. */
export function ApiKeysTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const language = currentLanguage();
  const report = useReportProblems();
  const { permissions } = usePermissions();
  const [form] = Form.useForm<Values>();
  const [result, reexecute] = useQuery({ query: ApiKeysDocument, requestPolicy: 'cache-and-network' });
  const [{ fetching }, create] = useMutation(CreateApiKeyDocument);
  const [, revoke] = useMutation(RevokeApiKeyDocument);
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [secretOpen, setSecretOpen] = useState(false);
  const reload = () => reexecute({ requestPolicy: 'network-only' });

  const submit = async (values: Values) => {
    setProblems([]);
    const r = await create({
      input: { name: values.name.trim(), scopes: values.scopes, expiresAt: values.expiresAt ? values.expiresAt.endOf('day').toISOString() : null },
    });
    if (r.data) {
      setSecret({ name: r.data.createApiKey.apiKey.name, secret: r.data.createApiKey.secret });
      setSecretOpen(true);
      form.resetFields();
      reload();
      return;
    }
    const { fields, general } = splitByField(problemsOf(r.error), ['name', 'scopes', 'expiresAt']);
    form.setFields(Object.entries(fields).map(([name, errors]) => ({ name: name as keyof Values, errors })));
    setProblems(general);
  };

  return (
    <Flex vertical gap={16}>
      <Card title={t('admin.newApiKey')}>
        <ProblemAlert problems={problems} />
        <Form<Values> form={form} layout="vertical" onFinish={submit} name="api-key" style={{ maxWidth: 640 }}>
          <Form.Item name="name" label={t('admin.keyName')} rules={[{ required: true, message: t('auth.required') }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="scopes" label={t('admin.scopes')} extra={t('admin.scopesHint')} rules={[{ required: true, message: t('auth.required') }]}>
            <Select mode="multiple" options={permissions.map((p) => ({ value: p, label: p }))} />
          </Form.Item>
          <Form.Item name="expiresAt" label={t('admin.expiresOptional')}>
            <DatePicker />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={fetching}>
            {t('admin.createKey')}
          </Button>
        </Form>
      </Card>
      <Card styles={{ body: { padding: 0 } }}>
        {result.error && !result.data ? (
          <LoadError problems={problemsOf(result.error)} onRetry={reload} />
        ) : (
          <Table<ApiKeyFieldsFragment>
            rowKey="id"
            data-testid="api-keys"
            loading={result.fetching && !result.data}
            dataSource={result.data?.apiKeys ?? []}
            pagination={false}
            scroll={{ x: 900 }}
            locale={{ emptyText: t('admin.noKeys') }}
            columns={[
              { title: t('admin.keyName'), dataIndex: 'name', key: 'name' },
              { title: t('admin.prefix'), key: 'prefix', render: (_, k) => <Typography.Text code>{k.prefix}</Typography.Text> },
              { title: t('admin.scopes'), key: 'scopes', render: (_, k) => k.scopes.map((s) => <Tag key={s}>{s}</Tag>) },
              { title: t('admin.created'), key: 'created', render: (_, k) => formatDateTime(k.createdAt, language) },
              { title: t('admin.lastUsed'), key: 'used', render: (_, k) => formatDateTime(k.lastUsedAt, language) },
              { title: t('admin.expires'), key: 'expires', render: (_, k) => formatDateTime(k.expiresAt, language) },
              {
                title: t('admin.status'),
                key: 'status',
                render: (_, k) => <Tag variant="solid" color={k.active ? '#237804' : '#595959'}>{k.active ? t('admin.active') : k.revokedAt ? t('admin.revoked') : t('admin.expired')}</Tag>,
              },
              {
                title: '',
                key: 'revoke',
                render: (_, k) =>
                  k.active && (
                    <Popconfirm
                      title={t('admin.revokeKeyConfirm', { name: k.name })}
                      okText={t('admin.revoke')}
                      cancelText={t('common.cancel')}
                      onConfirm={async () => {
                        const r = await revoke({ id: k.id });
                        if (r.data?.revokeApiKey) {
                          void message.success(t('admin.keyRevoked'));
                          reload();
                        } else report(problemsOf(r.error));
                      }}
                    >
                      <Button size="small" danger>
                        {t('admin.revoke')}
                      </Button>
                    </Popconfirm>
                  ),
              },
            ]}
          />
        )}
      </Card>
      <Modal
        open={secretOpen}
        title={t('admin.keyCreated', { name: secret?.name })}
        maskClosable={false}
        closable={false}
        // The secret leaves the page (and memory) once the dialog has closed.
        destroyOnHidden
        afterClose={() => setSecret(null)}
        footer={
          <Button type="primary" onClick={() => setSecretOpen(false)}>
            {t('admin.secretStored')}
          </Button>
        }
      >
        <Alert type="warning" showIcon message={t('admin.secretOnce')} style={{ marginBottom: 12 }} />
        <Typography.Paragraph copyable={{ text: secret?.secret, tooltips: [t('admin.copy'), t('admin.copied')] }} code data-testid="api-key-secret">
          {secret?.secret}
        </Typography.Paragraph>
      </Modal>
    </Flex>
  );
}
