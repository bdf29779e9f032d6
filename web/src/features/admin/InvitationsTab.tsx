import { App, Button, Card, Flex, Form, Input, Popconfirm, Select, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { LoadError } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import type { InvitationFieldsFragment, InvitationStatus, Role } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { problemsOf, splitByField, type ApiProblem } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { AdminMembersDocument, InvitationsDocument, InviteMemberDocument, RevokeInvitationDocument } from './documents';
import { ROLES, useReportProblems } from './MembersTab';

// Solid and dark enough for AA contrast.
const STATUS_COLORS: Record<InvitationStatus, string> = { PENDING: '#0958d9', ACCEPTED: '#237804', REVOKED: '#595959', EXPIRED: '#ad4e00' };
interface Values {
  email: string;
  role: Role;
  teamId?: string;
}

export function InvitationsTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const language = currentLanguage();
  const report = useReportProblems();
  const [form] = Form.useForm<Values>();
  const [result, reexecute] = useQuery({ query: InvitationsDocument, requestPolicy: 'cache-and-network' });
  const [teams] = useQuery({ query: AdminMembersDocument });
  const [{ fetching }, invite] = useMutation(InviteMemberDocument);
  const [, revoke] = useMutation(RevokeInvitationDocument);
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const reload = () => reexecute({ requestPolicy: 'network-only' });

  const submit = async (values: Values) => {
    setProblems([]);
    const r = await invite({ input: { email: values.email.trim(), role: values.role, teamId: values.teamId ?? null } });
    if (r.data) {
      void message.success(t('admin.invited', { email: r.data.inviteMember.invitation.email }));
      form.resetFields();
      reload();
      return;
    }
    const { fields, general } = splitByField(problemsOf(r.error), ['email', 'role', 'teamId']);
    form.setFields(Object.entries(fields).map(([name, errors]) => ({ name: name as keyof Values, errors })));
    setProblems(general);
  };

  return (
    <Flex vertical gap={16}>
      <Card title={t('admin.invite')}>
        <ProblemAlert problems={problems} />
        <Form<Values> form={form} layout="inline" onFinish={submit} initialValues={{ role: 'SALES' }} name="invite">
          <Form.Item name="email" label={t('admin.email')} rules={[{ required: true, message: t('auth.required') }]}>
            <Input type="email" style={{ width: 260 }} />
          </Form.Item>
          <Form.Item name="role" label={t('admin.role')}>
            <Select<Role> style={{ width: 150 }} options={ROLES.filter((r) => r !== 'OWNER').map((r) => ({ value: r, label: t(`role.${r}`) }))} />
          </Form.Item>
          <Form.Item name="teamId" label={t('admin.team')}>
            <Select allowClear style={{ width: 160 }} options={(teams.data?.teams ?? []).map((x) => ({ value: x.id, label: x.name }))} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={fetching}>
            {t('admin.sendInvitation')}
          </Button>
        </Form>
      </Card>
      <Card styles={{ body: { padding: 0 } }}>
        {result.error && !result.data ? (
          <LoadError problems={problemsOf(result.error)} onRetry={reload} />
        ) : (
          <Table<InvitationFieldsFragment>
            rowKey="id"
            data-testid="invitations"
            loading={result.fetching && !result.data}
            dataSource={result.data?.invitations ?? []}
            pagination={false}
            locale={{ emptyText: t('admin.noInvitations') }}
            columns={[
              { title: t('admin.email'), dataIndex: 'email', key: 'email' },
              { title: t('admin.role'), key: 'role', render: (_, i) => t(`role.${i.role}`) },
              { title: t('admin.status'), key: 'status', render: (_, i) => <Tag variant="solid" color={STATUS_COLORS[i.status]}>{t(`invitationStatus.${i.status}`)}</Tag> },
              { title: t('admin.sent'), key: 'sent', render: (_, i) => formatDateTime(i.createdAt, language) },
              { title: t('admin.expires'), key: 'expires', render: (_, i) => formatDateTime(i.expiresAt, language) },
              {
                title: '',
                key: 'revoke',
                render: (_, i) =>
                  i.status === 'PENDING' && (
                    <Popconfirm
                      title={t('admin.revokeInvitationConfirm', { email: i.email })}
                      okText={t('admin.revoke')}
                      cancelText={t('common.cancel')}
                      onConfirm={async () => {
                        const r = await revoke({ id: i.id });
                        if (r.data) void message.success(t('admin.invitationRevoked'));
                        else report(problemsOf(r.error));
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
    </Flex>
  );
}
