import { App, Card, Descriptions, Flex, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { LoadError, Loading } from '../../components/PageState';
import { currentLanguage, LANGUAGES, setLanguage, type Language } from '../../i18n';
import { problemsOf } from '../../lib/errors';
import { formatDate } from '../../lib/format';
import { MeDocument, UpdateMyLocaleDocument } from '../auth/documents';

/** The signed-in user: who they are here, their role, and the language they read the product in. */
export default function ProfilePage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const language = currentLanguage();
  const [me, reexecute] = useQuery({ query: MeDocument });
  const [{ fetching }, update] = useMutation(UpdateMyLocaleDocument);
  if (me.error && !me.data) return <LoadError problems={problemsOf(me.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />;
  if (!me.data) return <Loading />;
  const { user, role, tenant, permissions } = me.data.me;

  const change = async (locale: Language) => {
    const r = await update({ locale });
    if (r.data) {
      setLanguage(locale);
      void message.success(t('profile.saved'));
    } else problemsOf(r.error).forEach((p) => void message.error(p.message));
  };

  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {t('profile.title')}
      </Typography.Title>
      <Card>
        <Descriptions column={1} size="small">
          <Descriptions.Item label={t('profile.name')}>{user?.displayName || '—'}</Descriptions.Item>
          <Descriptions.Item label={t('profile.email')}>{user?.email ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('profile.workspace')}>{tenant.name}</Descriptions.Item>
          <Descriptions.Item label={t('profile.role')}>
            <span data-testid="profile-role">{t(`role.${role}`)}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('profile.memberSince')}>{formatDate(user?.createdAt, language)}</Descriptions.Item>
          <Descriptions.Item label={t('profile.permissions')}>{permissions.join(', ')}</Descriptions.Item>
          <Descriptions.Item label={t('profile.language')}>
            <Select<Language>
              aria-label={t('profile.language')}
              value={supported(user?.locale) ?? language}
              loading={fetching}
              style={{ width: 160 }}
              onChange={(l) => void change(l)}
              options={LANGUAGES.map((l) => ({ value: l, label: t(`language.${l}`) }))}
            />
          </Descriptions.Item>
        </Descriptions>
      </Card>
    </Flex>
  );
}

const supported = (l?: string | null): Language | null => (LANGUAGES.includes(l as Language) ? (l as Language) : null);
