import { Flex, Result, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Loading } from '../../components/PageState';
import type { AddressCodec } from '../../lib/addressState';
import { useAddressState } from '../../lib/addressState';
import { adminSectionsFor, ADMIN_SECTIONS, usePermissions, type AdminSection } from '../../lib/permissions';
import { ApiKeysTab } from './ApiKeysTab';
import { AuditTab } from './AuditTab';
import { InvitationsTab } from './InvitationsTab';
import { MembersTab } from './MembersTab';
import { SettingsTab } from './SettingsTab';
import { TeamsTab } from './TeamsTab';

const SECTIONS = ADMIN_SECTIONS.map(([s]) => s);
const TAB_STATE: AddressCodec<{ tab: AdminSection | '' }> = {
  read: (p) => {
    const tab = p.get('tab') as AdminSection | null;
    return { tab: tab && SECTIONS.includes(tab) ? tab : '' };
  },
  write: (s) => new URLSearchParams(s.tab ? { tab: s.tab } : {}),
};

/** Members, invitations, teams, API keys, settings and the audit log: the sections the role opens. */
export default function AdminPage() {
  const { t } = useTranslation();
  const { permissions, loaded } = usePermissions();
  const [state, change] = useAddressState(TAB_STATE);
  if (!loaded) return <Loading />;
  const sections = adminSectionsFor(permissions);
  if (sections.length === 0) {
    return <Result status="403" title={t('admin.forbiddenTitle')} subTitle={t('admin.forbidden')} />;
  }
  const active = state.tab && sections.includes(state.tab) ? state.tab : sections[0];
  const content: Record<AdminSection, React.ReactNode> = {
    members: <MembersTab />,
    invitations: <InvitationsTab />,
    teams: <TeamsTab />,
    apiKeys: <ApiKeysTab />,
    settings: <SettingsTab />,
    audit: <AuditTab />,
  };
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {t('admin.title')}
      </Typography.Title>
      <Tabs
        activeKey={active}
        onChange={(tab) => change({ tab: tab as AdminSection })}
        destroyOnHidden
        items={sections.map((s) => ({ key: s, label: t(`admin.sections.${s}`), children: content[s] }))}
      />
    </Flex>
  );
}
