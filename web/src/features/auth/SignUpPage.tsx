import { Button, Form, Input, Select, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useMutation } from 'urql';
import { ProblemAlert } from '../../components/ProblemAlert';
import { currentLanguage, LANGUAGES } from '../../i18n';
import { problemsOf, splitByField, type ApiProblem } from '../../lib/errors';
import { AuthShell } from './AuthShell';
import { SignUpDocument } from './documents';
import { signedIn } from './signedIn';

interface Values {
  tenantName: string;
  tenantSlug: string;
  displayName?: string;
  email: string;
  password: string;
  baseCurrency: string;
}

// Fields that show their own errors (a `locale` error shows above the form).
const FIELDS = ['tenantName', 'tenantSlug', 'displayName', 'email', 'password', 'baseCurrency'];
const CURRENCIES = ['USD', 'EUR', 'CNY', 'GBP', 'JPY', 'HKD', 'SGD', 'AUD', 'CAD', 'CHF'];

/** `Acme Trading Co.` → `acme-trading-co`. */
export function slugOf(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

export default function SignUpPage() {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  // The user's language follows the console's until chosen here.
  const [chosenLocale, setChosenLocale] = useState<string | null>(null);
  const locale = chosenLocale ?? currentLanguage();
  const [{ fetching }, signUp] = useMutation(SignUpDocument);
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const [slugEdited, setSlugEdited] = useState(false);

  const submit = async (values: Values) => {
    setProblems([]);
    const result = await signUp({
      input: { ...values, locale, displayName: values.displayName?.trim() || null, email: values.email.trim() },
    });
    if (result.data) return signedIn(result.data.signUp);
    const { fields, general } = splitByField(problemsOf(result.error), FIELDS);
    form.setFields(Object.entries(fields).map(([name, errors]) => ({ name: name as keyof Values, errors })));
    setProblems(general);
  };

  return (
    <AuthShell title={t('auth.signUpTitle')}>
      <ProblemAlert problems={problems} />
      <Form<Values>
        form={form}
        layout="vertical"
        name="sign-up"
        requiredMark={false}
        onFinish={submit}
        initialValues={{ baseCurrency: 'USD' }}
        onValuesChange={(changed: Partial<Values>) => {
          form.setFields(Object.keys(changed).map((name) => ({ name: name as keyof Values, errors: [] })));
          if ('tenantSlug' in changed) setSlugEdited(true);
          if ('tenantName' in changed && !slugEdited) form.setFieldValue('tenantSlug', slugOf(changed.tenantName ?? ''));
        }}
      >
        <Form.Item name="tenantName" label={t('auth.workspaceName')} rules={[{ required: true, message: t('auth.required') }]}>
          <Input autoComplete="organization" autoFocus />
        </Form.Item>
        <Form.Item
          name="tenantSlug"
          label={t('auth.workspaceSlug')}
          extra={t('auth.workspaceSlugHint')}
          rules={[{ required: true, message: t('auth.required') }]}
        >
          <Input />
        </Form.Item>
        <Form.Item name="displayName" label={t('auth.displayName')}>
          <Input autoComplete="name" />
        </Form.Item>
        <Form.Item name="email" label={t('auth.email')} rules={[{ required: true, message: t('auth.required') }]}>
          <Input type="email" autoComplete="username" />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('auth.password')}
          extra={t('auth.passwordHint')}
          rules={[{ required: true, message: t('auth.required') }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="baseCurrency" label={t('auth.baseCurrency')}>
          <Select showSearch options={CURRENCIES.map((c) => ({ value: c, label: c }))} />
        </Form.Item>
        <Form.Item label={t('auth.language')} htmlFor="sign-up-locale">
          <Select
            id="sign-up-locale"
            value={locale}
            onChange={setChosenLocale}
            options={LANGUAGES.map((l) => ({ value: l, label: t(`language.${l}`) }))}
          />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={fetching}>
          {t('auth.signUp')}
        </Button>
      </Form>
      <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0 }}>
        {t('auth.haveAccount')} <Link to="/sign-in">{t('auth.signIn')}</Link>
      </Typography.Paragraph>
    </AuthShell>
  );
}
