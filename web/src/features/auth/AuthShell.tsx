import { Card, Flex, Typography } from 'antd';
import { LanguageSwitch } from '../../components/LanguageSwitch';

/** The frame of the sign-in and sign-up pages. */
export function AuthShell({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Flex vertical align="center" style={{ minHeight: '100vh', background: '#f5f7fa', padding: '48px 16px' }}>
      <Flex justify="space-between" align="center" style={{ width: '100%', maxWidth: 440, marginBottom: 16 }}>
        <Typography.Text strong style={{ fontSize: 20 }}>
          CRM
        </Typography.Text>
        <LanguageSwitch />
      </Flex>
      <Card style={{ width: '100%', maxWidth: 440 }}>
        <main id="main" className="auth-main">
          <Typography.Title level={1} style={{ fontSize: 22, marginTop: 0 }}>
            {title}
          </Typography.Title>
          {children}
        </main>
      </Card>
    </Flex>
  );
}
