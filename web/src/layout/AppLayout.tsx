import {
  AppstoreOutlined,
  BarChartOutlined,
  LineChartOutlined,
  ShoppingCartOutlined,
  SwapOutlined,
  CustomerServiceOutlined,
  DashboardOutlined,
  FunnelPlotOutlined,
  LogoutOutlined,
  NotificationOutlined,
  ProfileOutlined,
  ProjectOutlined,
  SettingOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Button, Dropdown, Flex, Layout, Menu, Typography } from 'antd';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useMutation } from 'urql';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { Loading } from '../components/PageState';
import { SignOutDocument } from '../features/auth/documents';
import { sessionStore } from '../lib/client';
import { menuKeyOf } from '../lib/navigation';
import { adminSectionsFor, usePermissions } from '../lib/permissions';
import { useSession } from '../lib/useSession';
import { WorkspaceSwitch } from './WorkspaceSwitch';

/** The signed-in frame: menu, workspace, language and user. */
export function AppLayout() {
  const { t } = useTranslation();
  const location = useLocation();
  const session = useSession();
  const [, signOut] = useMutation(SignOutDocument);
  const path = location.pathname;
  const selected = menuKeyOf(path);
  const navigate = useNavigate();
  const { can, permissions } = usePermissions();
  const administers = adminSectionsFor(permissions).length > 0;

  const doSignOut = async () => {
    await signOut({}).catch(() => undefined);
    sessionStore.end('signedOut');
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a href="#main" className="skip-link">
        {t('app.skipToContent')}
      </a>
      <Layout.Sider breakpoint="lg" collapsedWidth={0} theme="light" style={{ borderRight: '1px solid #f0f0f0' }}>
        <div style={{ padding: '16px 24px', fontWeight: 600, fontSize: 18 }}>{t('app.name')}</div>
        <nav aria-label={t('nav.menu')}>
          <Menu
            mode="inline"
            selectedKeys={[selected]}
            // The sections with pages of their own start open.
            defaultOpenKeys={['marketing']}
            items={[
              { key: 'customers', icon: <TeamOutlined />, label: <Link to="/customers">{t('nav.customers')}</Link> },
              { key: 'leads', icon: <FunnelPlotOutlined />, label: <Link to="/leads">{t('nav.leads')}</Link> },
              { key: 'pipeline', icon: <ProjectOutlined />, label: <Link to="/pipeline">{t('nav.pipeline')}</Link> },
              { key: 'cases', icon: <CustomerServiceOutlined />, label: <Link to="/cases">{t('nav.cases')}</Link> },
              {
                key: 'service-summary',
                icon: <DashboardOutlined />,
                label: <Link to="/service-summary">{t('nav.serviceSummary')}</Link>,
              },
              ...(can('orders:read')
                ? [
                    { key: 'orders', icon: <ShoppingCartOutlined />, label: <Link to="/orders">{t('nav.orders')}</Link> },
                    { key: 'products', icon: <AppstoreOutlined />, label: <Link to="/products">{t('nav.products')}</Link> },
                    { key: 'rates', icon: <SwapOutlined />, label: <Link to="/exchange-rates">{t('nav.rates')}</Link> },
                  ]
                : []),
              ...(can('sales:reports')
                ? [{ key: 'reports', icon: <LineChartOutlined />, label: <Link to="/sales-reports">{t('nav.reports')}</Link> }]
                : []),
              ...(can('marketing:read')
                ? [
                    {
                      key: 'marketing',
                      icon: <NotificationOutlined />,
                      label: t('nav.marketing'),
                      children: [
                        { key: 'segments', label: <Link to="/segments">{t('nav.segments')}</Link> },
                        { key: 'campaigns', label: <Link to="/campaigns">{t('nav.campaigns')}</Link> },
                      ],
                    },
                  ]
                : []),
              ...(can('orders:read')
                ? [{ key: 'analytics', icon: <BarChartOutlined />, label: <Link to="/analytics">{t('nav.analytics')}</Link> }]
                : []),
              ...(administers
                ? [{ key: 'admin', icon: <SettingOutlined />, label: <Link to="/admin">{t('nav.admin')}</Link> }]
                : []),
            ]}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{ background: '#fff', padding: '0 24px', borderBottom: '1px solid #f0f0f0', lineHeight: 'normal' }}
        >
          <Flex justify="space-between" align="center" style={{ height: '100%' }} gap={12}>
            <WorkspaceSwitch />
            <Flex align="center" gap={8}>
              <LanguageSwitch />
              <Dropdown
                trigger={['click']}
                menu={{
                  items: [
                    { key: 'profile', icon: <ProfileOutlined />, label: t('nav.profile'), onClick: () => navigate('/profile') },
                    { key: 'sign-out', icon: <LogoutOutlined />, label: t('auth.signOut'), onClick: doSignOut },
                  ],
                }}
              >
                <Button type="text" icon={<UserOutlined />} data-testid="user-menu">
                  <Typography.Text ellipsis style={{ maxWidth: 200 }}>
                    {session?.user.displayName || session?.user.email}
                  </Typography.Text>
                </Button>
              </Dropdown>
            </Flex>
          </Flex>
        </Layout.Header>
        <Layout.Content id="main" tabIndex={-1} style={{ padding: 24, background: '#f5f7fa', outline: 'none' }}>
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
