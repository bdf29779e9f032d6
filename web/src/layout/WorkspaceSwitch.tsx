import { SwapOutlined } from '@ant-design/icons';
import { App, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { MyTenantsDocument, SwitchTenantDocument } from '../features/auth/documents';
import { signedIn } from '../features/auth/signedIn';
import { problemsOf } from '../lib/errors';
import { useSession } from '../lib/useSession';

/** The workspaces the user belongs to; choosing one switches the session. */
export function WorkspaceSwitch() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const session = useSession();
  const [{ data }] = useQuery({ query: MyTenantsDocument });
  const [{ fetching }, switchTenant] = useMutation(SwitchTenantDocument);
  const tenants = data?.myTenants ?? [];
  if (!session) return null;
  const change = async (slug: string) => {
    const result = await switchTenant({ tenantSlug: slug });
    if (result.data) signedIn(result.data.switchTenant);
    else problemsOf(result.error).forEach((p) => void message.error(p.message));
  };
  return (
    <Select
      aria-label={t('auth.switchWorkspace')}
      data-testid="workspace-switch"
      value={session.tenant.slug}
      loading={fetching}
      onChange={change}
      suffixIcon={<SwapOutlined />}
      style={{ minWidth: 180 }}
      options={(tenants.length ? tenants.map((m) => m.tenant) : [session.tenant]).map((tenant) => ({
        value: tenant.slug,
        label: tenant.name,
      }))}
    />
  );
}
