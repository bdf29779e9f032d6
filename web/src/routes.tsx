import { Button, Result } from 'antd';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, Route, Routes, useLocation, useSearchParams } from 'react-router-dom';
import { Loading } from './components/PageState';
import { AppLayout } from './layout/AppLayout';
import { sessionStore } from './lib/client';
import { safeNext } from './lib/navigation';
import { useSession } from './lib/useSession';

const SignInPage = lazy(() => import('./features/auth/SignInPage'));
const SignUpPage = lazy(() => import('./features/auth/SignUpPage'));
const CustomerListPage = lazy(() => import('./features/customers/CustomerListPage'));
const Customer360Page = lazy(() => import('./features/customers/Customer360Page'));
const PipelineBoardPage = lazy(() => import('./features/sales/PipelineBoardPage'));
const DealPage = lazy(() => import('./features/sales/DealPage'));
const LeadListPage = lazy(() => import('./features/sales/LeadListPage'));
const CaseQueuePage = lazy(() => import('./features/service/CaseQueuePage'));
const CasePage = lazy(() => import('./features/service/CasePage'));
const AnalyticsPage = lazy(() => import('./features/analytics/AnalyticsPage'));
const AdminPage = lazy(() => import('./features/admin/AdminPage'));
const ProfilePage = lazy(() => import('./features/admin/ProfilePage'));
const OrdersPage = lazy(() => import('./features/commerce/OrdersPage'));
const OrderPage = lazy(() => import('./features/commerce/OrderPage'));
const ProductsPage = lazy(() => import('./features/commerce/ProductsPage'));
const ExchangeRatesPage = lazy(() => import('./features/commerce/ExchangeRatesPage'));
const SalesReportsPage = lazy(() => import('./features/reports/SalesReportsPage'));
const SegmentListPage = lazy(() => import('./features/marketing/SegmentListPage'));
const SegmentPage = lazy(() => import('./features/marketing/SegmentPage'));
const CampaignListPage = lazy(() => import('./features/marketing/CampaignListPage'));
const CampaignPage = lazy(() => import('./features/marketing/CampaignPage'));
const ServiceSummaryPage = lazy(() => import('./features/service/ServiceSummaryPage'));

/** Signed-in pages; without a session, the sign-in page (and back after an expiry). */
function RequireAuth({ children }: { children: React.ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session) return children;
  const here = location.pathname + location.search;
  const search = sessionStore.lastEnd === 'signedOut' ? '' : `?next=${encodeURIComponent(here)}`;
  return <Navigate to={`/sign-in${search}`} replace />;
}

/** Sign-in and sign-up; with a session, where the user was going. */
function PublicOnly({ children }: { children: React.ReactNode }) {
  const session = useSession();
  const [params] = useSearchParams();
  if (session) return <Navigate to={safeNext(params.get('next'))} replace />;
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

function NotFound() {
  const { t } = useTranslation();
  return (
    <Result
      status="404"
      title={t('common.notFound')}
      extra={
        <Link to="/customers">
          <Button type="primary">{t('common.backHome')}</Button>
        </Link>
      }
    />
  );
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/sign-in" element={<PublicOnly><SignInPage /></PublicOnly>} />
      <Route path="/sign-up" element={<PublicOnly><SignUpPage /></PublicOnly>} />
      <Route element={<RequireAuth><AppLayout /></RequireAuth>}>
        <Route index element={<Navigate to="/customers" replace />} />
        <Route path="/customers" element={<CustomerListPage />} />
        <Route path="/customers/:id" element={<Customer360Page />} />
        <Route path="/leads" element={<LeadListPage />} />
        <Route path="/pipeline" element={<PipelineBoardPage />} />
        <Route path="/deals/:id" element={<DealPage />} />
        <Route path="/cases" element={<CaseQueuePage />} />
        <Route path="/cases/:id" element={<CasePage />} />
        <Route path="/analytics" element={<AnalyticsPage />} />
        <Route path="/admin" element={<AdminPage />} />
        <Route path="/profile" element={<ProfilePage />} />
        <Route path="/orders" element={<OrdersPage />} />
        <Route path="/orders/:id" element={<OrderPage />} />
        <Route path="/products" element={<ProductsPage />} />
        <Route path="/exchange-rates" element={<ExchangeRatesPage />} />
        <Route path="/sales-reports" element={<SalesReportsPage />} />
        <Route path="/segments" element={<SegmentListPage />} />
        <Route path="/segments/:id" element={<SegmentPage />} />
        <Route path="/campaigns" element={<CampaignListPage />} />
        <Route path="/campaigns/:id" element={<CampaignPage />} />
        <Route path="/service-summary" element={<ServiceSummaryPage />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
