import { Alert, Button, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { useMutation } from 'urql';
import { ProblemAlert } from '../../components/ProblemAlert';
import { sessionStore } from '../../lib/client';
import { problemsOf, type ApiProblem } from '../../lib/errors';
import { AuthShell } from './AuthShell';
import { SignInDocument } from './documents';
import { signedIn } from './signedIn';

interface Values {
  email: string;
  password: string;
  tenantSlug?: string;
}

export default function SignInPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const [{ fetching }, signIn] = useMutation(SignInDocument);
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const expired = sessionStore.lastEnd === 'expired';

  const submit = async (values: Values) => {
    setProblems([]);
    const result = await signIn({
      input: { email: values.email.trim(), password: values.password, tenantSlug: values.tenantSlug?.trim() || null },
    });
    if (result.data) signedIn(result.data.signIn);
    else setProblems(problemsOf(result.error));
  };

  return (
    <AuthShell title={t('auth.signInTitle')}>
      {expired && problems.length === 0 && (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t('auth.expired')} role="status" />
      )}
      <ProblemAlert problems={problems} />
      <Form<Values> layout="vertical" onFinish={submit} requiredMark={false} name="sign-in">
        <Form.Item name="email" label={t('auth.email')} rules={[{ required: true, message: t('auth.required') }]}>
          <Input type="email" autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, message: t('auth.required') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="tenantSlug" label={t('auth.workspaceSlugOptional')}>
          <Input autoComplete="organization" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={fetching}>
          {t('auth.signIn')}
        </Button>
      </Form>
      <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0 }}>
        {t('auth.noAccount')} <Link to={{ pathname: '/sign-up', search: params.toString() }}>{t('auth.signUp')}</Link>
      </Typography.Paragraph>
    </AuthShell>
  );
}
