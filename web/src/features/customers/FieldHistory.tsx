import { Button, Empty, Flex, Select, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { Loading, LoadError } from '../../components/PageState';
import type { CustomerHistoryQuery } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { problemsOf } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { MembersDocument } from '../sales/documents';
import { memberName } from '../sales/labels';
import { CustomerHistoryDocument } from './documents';

type Change = CustomerHistoryQuery['customerHistory']['edges'][number]['node'];

/** Fields the history can be narrowed to (as the API spells them). */
export const HISTORY_FIELDS = ['name', 'lifecycleStage', 'email', 'phone', 'tags', 'ownerId', 'address', 'customFields'] as const;

const PAGE = 20;

/** A history value in words: stages translated, lists joined, the rest as JSON. */
export function historyValue(v: unknown, translate: (stage: string) => string | null): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'string') return translate(v) ?? v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.length ? v.join(', ') : '—';
  return JSON.stringify(v);
}

/** Who changed which field of a customer, from what to what, newest first. */
export function FieldHistory({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const language = currentLanguage();
  const [field, setField] = useState<string | null>(null);
  const [first, setFirst] = useState(PAGE);
  const [history, reexecute] = useQuery({
    query: CustomerHistoryDocument,
    variables: { customerId, first, field },
    requestPolicy: 'cache-and-network',
  });
  const [members] = useQuery({ query: MembersDocument });
  const fieldLabel = (f: string) => (i18n.exists(`history.field.${f}`) ? t(`history.field.${f}`) : f);
  const stage = (v: string) => (i18n.exists(`stage.${v}`) ? t(`stage.${v}`) : null);

  const changes: Change[] = history.data?.customerHistory.edges.map((e) => e.node) ?? [];
  let body: React.ReactNode;
  if (history.error && !history.data) {
    body = <LoadError problems={problemsOf(history.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />;
  } else if (!history.data) {
    body = <Loading />;
  } else if (changes.length === 0) {
    body = <Empty description={t('history.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  } else {
    body = (
      <Timeline
        items={changes.map((c) => ({
          key: c.id,
          color: c.action === 'CREATE' ? 'green' : c.action === 'DELETE' ? 'red' : 'blue',
          children: (
            <div data-testid="history-entry">
              <Typography.Text strong>{fieldLabel(c.field)}</Typography.Text>{' '}
              <Typography.Text type="secondary">({t(`history.action.${c.action}`)})</Typography.Text>
              <div>
                {c.action === 'CREATE'
                  ? historyValue(c.newValue, stage)
                  : t('history.fromTo', { from: historyValue(c.oldValue, stage), to: historyValue(c.newValue, stage) })}
              </div>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {formatDateTime(c.changedAt, language)} · {t('c360.by', { name: memberName(members.data?.members, c.changedBy, t('history.someone')) })} ·{' '}
                {t('history.version', { version: c.version })}
              </Typography.Text>
            </div>
          ),
        }))}
      />
    );
  }

  return (
    <Flex vertical gap={12}>
      <Flex gap={8} align="center" wrap>
        <Select
          allowClear
          aria-label={t('history.fieldFilter')}
          data-testid="history-field"
          placeholder={t('history.anyField')}
          style={{ minWidth: 200 }}
          value={field}
          onChange={(v) => {
            setFirst(PAGE);
            setField(v ?? null);
          }}
          options={HISTORY_FIELDS.map((f) => ({ value: f, label: fieldLabel(f) }))}
        />
        {history.data && (
          <Typography.Text type="secondary">{t('common.total', { count: history.data.customerHistory.totalCount })}</Typography.Text>
        )}
      </Flex>
      {body}
      {history.data?.customerHistory.pageInfo.hasNextPage && (
        <Button style={{ alignSelf: 'flex-start' }} loading={history.fetching} onClick={() => setFirst(first + PAGE)}>
          {t('common.more')}
        </Button>
      )}
    </Flex>
  );
}
