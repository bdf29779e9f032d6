import { App, Card, Descriptions, Radio, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { LoadError, Loading } from '../../components/PageState';
import { MeDocument } from '../auth/documents';
import type { CustomerVisibility } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { problemsOf } from '../../lib/errors';
import { formatDate } from '../../lib/format';
import { UpdateTenantSettingsDocument } from './documents';
import { useReportProblems } from './MembersTab';
import { RateLimitCard, ServiceLevelsCard, ValueSettingsCard } from './WorkspaceSettingsCards';

const VISIBILITY: CustomerVisibility[] = ['ALL', 'TEAM', 'OWN'];

/** The workspace's settings: customer visibility, how customer value is computed, service levels, and the request allowance. */
export function SettingsTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const language = currentLanguage();
  const report = useReportProblems();
  const [me, reexecute] = useQuery({ query: MeDocument });
  const [{ fetching }, update] = useMutation(UpdateTenantSettingsDocument);
  if (me.error && !me.data) return <LoadError problems={problemsOf(me.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />;
  if (!me.data) return <Loading />;
  const tenant = me.data.me.tenant;

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card title={t('admin.workspace')}>
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={t('admin.workspaceName')}>{tenant.name}</Descriptions.Item>
          <Descriptions.Item label={t('admin.workspaceSlug')}>{tenant.slug}</Descriptions.Item>
          <Descriptions.Item label={t('admin.baseCurrency')}>
            <span data-testid="base-currency">{tenant.baseCurrency}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('admin.defaultLanguage')}>{t(`language.${tenant.defaultLocale}`, { defaultValue: tenant.defaultLocale })}</Descriptions.Item>
          <Descriptions.Item label={t('admin.plan')}>{tenant.plan}</Descriptions.Item>
          <Descriptions.Item label={t('admin.created')}>{formatDate(tenant.createdAt, language)}</Descriptions.Item>
        </Descriptions>
        <Typography.Text type="secondary">{t('admin.currencyFixed')}</Typography.Text>
      </Card>
      <Card title={t('admin.visibility')}>
        <Radio.Group
          aria-label={t('admin.visibility')}
          disabled={fetching}
          value={tenant.customerVisibility ?? 'ALL'}
          onChange={async (e) => {
            const r = await update({ input: { customerVisibility: e.target.value as CustomerVisibility } });
            if (r.data) {
              void message.success(t('admin.settingsSaved'));
              reexecute({ requestPolicy: 'network-only' });
            } else report(problemsOf(r.error));
          }}
        >
          <Space direction="vertical">
            {VISIBILITY.map((v) => (
              <Radio key={v} value={v}>
                {t(`visibility.${v}`)}
              </Radio>
            ))}
          </Space>
        </Radio.Group>
      </Card>
      <ValueSettingsCard />
      <ServiceLevelsCard />
      <RateLimitCard plan={tenant.plan} />
    </Space>
  );
}
