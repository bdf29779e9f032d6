import { Button, Card, Flex, Input, Space, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { LoadError } from '../../components/PageState';
import type { AuditLogQuery } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { problemsOf } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { AdminMembersDocument, AuditLogDocument } from './documents';

const PAGE_SIZE = 20;
type Event = AuditLogQuery['auditLog']['edges'][number]['node'];

/** The audit log, newest first, a page at a time, optionally of actions starting with a text. */
export function AuditTab() {
  const { t } = useTranslation();
  const language = currentLanguage();
  const [action, setAction] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const variables = useMemo(
    () => ({ first: PAGE_SIZE, after, filter: action ? { action: { startsWith: action } } : null }),
    [after, action],
  );
  const [result, reexecute] = useQuery({ query: AuditLogDocument, variables, requestPolicy: 'cache-and-network' });
  const [members] = useQuery({ query: AdminMembersDocument });
  const nameOf = (id?: string | null) => {
    const m = members.data?.members.find((x) => x.user.id === id);
    return m ? m.user.displayName || m.user.email || id : id;
  };
  const page = result.data?.auditLog;

  return (
    <Card styles={{ body: { padding: 0 } }}>
      <Flex style={{ padding: 16 }} gap={8}>
        <Input.Search
          allowClear
          aria-label={t('admin.actionFilter')}
          placeholder={t('admin.actionFilter')}
          style={{ maxWidth: 320 }}
          onSearch={(v) => {
            setCursors([null]);
            setAction(v.trim());
          }}
        />
      </Flex>
      {result.error && !result.data ? (
        <LoadError problems={problemsOf(result.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
      ) : (
        <Table<Event>
          rowKey="id"
          data-testid="audit-log"
          loading={result.fetching && !result.data}
          dataSource={page?.edges.map((e) => e.node) ?? []}
          pagination={false}
          scroll={{ x: 800 }}
          locale={{ emptyText: t('admin.noEvents') }}
          columns={[
            { title: t('admin.when'), key: 'when', render: (_, e) => formatDateTime(e.occurredAt, language) },
            { title: t('admin.action'), key: 'action', render: (_, e) => <Typography.Text code>{e.action}</Typography.Text> },
            {
              title: t('admin.actor'),
              key: 'actor',
              render: (_, e) => (e.actorApiKeyId ? t('admin.byApiKey', { id: e.actorApiKeyId.slice(0, 8) }) : (nameOf(e.actorUserId) ?? '—')),
            },
            { title: t('admin.target'), key: 'target', render: (_, e) => [e.targetType, e.targetId?.slice(0, 8)].filter(Boolean).join(' ') || '—' },
            { title: t('admin.ip'), dataIndex: 'ip', key: 'ip', render: (v?: string | null) => v ?? '—' },
          ]}
        />
      )}
      <Flex justify="end" style={{ padding: 16 }}>
        <Space>
          <Button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            {t('common.previous')}
          </Button>
          <Button disabled={!page?.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, page?.pageInfo.endCursor ?? null])}>
            {t('common.next')}
          </Button>
        </Space>
      </Flex>
    </Card>
  );
}
