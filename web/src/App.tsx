import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter } from 'react-router-dom';
import { Provider as UrqlProvider } from 'urql';
import { supportedLanguage } from './i18n';
import { createClient } from './lib/client';
import { useSession } from './lib/useSession';
import { AppRoutes } from './routes';

// Secondary and placeholder text dark enough for WCAG AA contrast.
const THEME = {
  token: {
    colorPrimary: '#1463d8',
    colorLink: '#0958d9',
    colorInfo: '#1463d8',
    colorError: '#c41d22',
    colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.56)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.56)',
  },
};

/** A fresh client (and cache) per user and workspace. */
function GraphqlProvider({ children }: { children: React.ReactNode }) {
  const session = useSession();
  const key = session ? `${session.user.id}/${session.tenant.id}` : 'anonymous';
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const client = useMemo(() => createClient(), [key]);
  return <UrqlProvider value={client}>{children}</UrqlProvider>;
}

export default function App() {
  const { i18n } = useTranslation();
  const language = supportedLanguage(i18n.language) ?? 'en';
  return (
    <ConfigProvider locale={language === 'zh-CN' ? zhCN : enUS} theme={THEME}>
      <AntApp>
        <GraphqlProvider>
          <BrowserRouter>
            <AppRoutes />
          </BrowserRouter>
        </GraphqlProvider>
      </AntApp>
    </ConfigProvider>
  );
}
