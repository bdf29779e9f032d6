import { App, Button, Card, Popconfirm, Select, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { LoadError } from '../../components/PageState';
import type { AdminMembersQuery, Role } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { problemsOf, type ApiProblem } from '../../lib/errors';
import { formatDate } from '../../lib/format';
import { useSession } from '../../lib/useSession';
import { AdminMembersDocument, AssignMemberDocument, ChangeMemberRoleDocument, RemoveMemberDocument } from './documents';

export const ROLES: Role[] = ['OWNER', 'ADMIN', 'MANAGER', 'SALES', 'SERVICE', 'MARKETING', 'VIEWER'];
type MemberRow = AdminMembersQuery['members'][number];

/** Shows a failed change's problems, each with its field. */
export function useReportProblems(): (problems: ApiProblem[]) => void {
  const { message } = App.useApp();
  const { t } = useTranslation();
  return (problems) =>
    problems.forEach((p) => void message.error(p.field ? t('common.fieldError', { field: p.field, message: p.message }) : p.message));
}

export function MembersTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const language = currentLanguage();
  const session = useSession();
  const report = useReportProblems();
  const [result, reexecute] = useQuery({ query: AdminMembersDocument, requestPolicy: 'cache-and-network' });
  const [, changeRole] = useMutation(ChangeMemberRoleDocument);
  const [, remove] = useMutation(RemoveMemberDocument);
  const [, assign] = useMutation(AssignMemberDocument);
  const data = result.data;
  const reload = () => reexecute({ requestPolicy: 'network-only' });

  if (result.error && !data) return <LoadError problems={problemsOf(result.error)} onRetry={reload} />;

  const done = (ok: boolean, error: Parameters<typeof problemsOf>[0], text: string) => {
    if (ok) {
      void message.success(text);
      reload();
    } else report(problemsOf(error));
  };

  return (
    <Card styles={{ body: { padding: 0 } }}>
      <Table<MemberRow>
        rowKey={(m) => m.user.id}
        loading={result.fetching && !data}
        dataSource={data?.members ?? []}
        pagination={false}
        scroll={{ x: 900 }}
        columns={[
          {
            title: t('admin.member'),
            key: 'name',
            render: (_, m) => (
              <>
                {m.user.displayName || m.user.email}
                {m.user.id === session?.user.id && <Tag style={{ marginInlineStart: 8 }}>{t('admin.you')}</Tag>}
              </>
            ),
          },
          { title: t('admin.email'), key: 'email', render: (_, m) => m.user.email ?? '—' },
          {
            title: t('admin.role'),
            key: 'role',
            render: (_, m) => (
              <Select<Role>
                aria-label={t('admin.roleOf', { name: m.user.displayName || m.user.email })}
                value={m.role}
                style={{ width: 150 }}
                onChange={async (role) => {
                  const r = await changeRole({ input: { userId: m.user.id, role } });
                  done(!!r.data, r.error, t('admin.roleChanged'));
                }}
                options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))}
              />
            ),
          },
          {
            title: t('admin.team'),
            key: 'team',
            render: (_, m) => (
              <Select
                allowClear
                aria-label={t('admin.teamOf', { name: m.user.displayName || m.user.email })}
                placeholder={t('admin.noTeam')}
                value={m.teamId ?? undefined}
                style={{ width: 160 }}
                onChange={async (teamId?: string) => {
                  const r = await assign({ input: { userId: m.user.id, teamId: teamId ?? null, regionId: m.regionId ?? null } });
                  done(!!r.data, r.error, t('admin.assigned'));
                }}
                options={(data?.teams ?? []).map((x) => ({ value: x.id, label: x.name }))}
              />
            ),
          },
          {
            title: t('admin.region'),
            key: 'region',
            render: (_, m) => (
              <Select
                allowClear
                aria-label={t('admin.regionOf', { name: m.user.displayName || m.user.email })}
                placeholder={t('admin.noRegion')}
                value={m.regionId ?? undefined}
                style={{ width: 160 }}
                onChange={async (regionId?: string) => {
                  const r = await assign({ input: { userId: m.user.id, teamId: m.teamId ?? null, regionId: regionId ?? null } });
                  done(!!r.data, r.error, t('admin.assigned'));
                }}
                options={(data?.regions ?? []).map((x) => ({ value: x.id, label: x.name }))}
              />
            ),
          },
          { title: t('admin.joined'), key: 'joined', render: (_, m) => formatDate(m.joinedAt, language) },
          {
            title: '',
            key: 'remove',
            render: (_, m) =>
              m.user.id !== session?.user.id && (
                <Popconfirm
                  title={t('admin.removeConfirm', { name: m.user.displayName || m.user.email })}
                  okText={t('admin.remove')}
                  cancelText={t('common.cancel')}
                  onConfirm={async () => {
                    const r = await remove({ userId: m.user.id });
                    done(!!r.data?.removeMember, r.error, t('admin.removed'));
                  }}
                >
                  <Button danger size="small">
                    {t('admin.remove')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
    </Card>
  );
}
