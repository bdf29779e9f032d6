import { Empty, Timeline as AntTimeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { CustomerExtrasQuery } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { formatDateTime, formatMoney } from '../../lib/format';

type Entry = NonNullable<CustomerExtrasQuery['customer']>['timeline']['edges'][number]['node'];

const show = (v: unknown): string => (v === null || v === undefined || v === '' ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** Interactions and system events, newest first. */
export function CustomerTimeline({ entries }: { entries: Entry[] }) {
  const { t, i18n } = useTranslation();
  const language = currentLanguage();
  if (entries.length === 0) return <Empty description={t('c360.noTimeline')} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  const kindLabel = (kind: string) => (i18n.exists(`timeline.${kind}`) ? t(`timeline.${kind}`) : t('timeline.other'));
  const detail = (e: Entry): string | null => {
    if (e.interaction) {
      const kind = e.interaction.kind ? t(`interaction.${e.interaction.kind}`) : '';
      return [kind, e.interaction.subject].filter(Boolean).join(' · ');
    }
    if (e.change && e.kind !== 'CUSTOMER_CREATED') {
      const stage = (v: unknown) => (typeof v === 'string' && i18n.exists(`stage.${v}`) ? t(`stage.${v}`) : show(v));
      return t('c360.changed', { field: e.change.field, from: stage(e.change.oldValue), to: stage(e.change.newValue) });
    }
    if (e.dealStage) return e.dealStage.stageName;
    if (e.order) return formatMoney(e.order.total, language);
    if (e.caseEvent?.note) return e.caseEvent.note;
    if (e.mergedCustomerName) return e.mergedCustomerName;
    return null;
  };
  return (
    <AntTimeline
      items={entries.map((e) => {
        const d = detail(e);
        const who = e.actor ? e.actor.displayName || e.actor.email : null;
        return {
          key: e.id,
          color: e.kind === 'INTERACTION' ? 'blue' : e.kind.startsWith('DEAL_WON') ? 'green' : 'gray',
          children: (
            <div data-testid="timeline-entry">
              <Typography.Text strong style={{ display: 'block' }}>
                {kindLabel(e.kind)}
              </Typography.Text>
              {d && <div>{d}</div>}
              <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
                {formatDateTime(e.at, language)}
                {who ? ` · ${t('c360.by', { name: who })}` : ''}
              </Typography.Text>
            </div>
          ),
        };
      })}
    />
  );
}
