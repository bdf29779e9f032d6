import { GlobalOutlined } from '@ant-design/icons';
import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useMutation } from 'urql';
import { UpdateMyLocaleDocument } from '../features/auth/documents';
import { currentLanguage, LANGUAGES, setLanguage, type Language } from '../i18n';
import { sessionStore } from '../lib/client';

/**
 * Switches the console's language live; signed in, it also becomes the
 * user's profile language, so the API's messages follow.
 */
export function LanguageSwitch() {
  const { t } = useTranslation();
  const [, updateLocale] = useMutation(UpdateMyLocaleDocument);
  const change = (language: Language) => {
    setLanguage(language);
    if (sessionStore.get()) void updateLocale({ locale: language });
  };
  return (
    <Select<Language>
      aria-label={t('language.label')}
      data-testid="language-switch"
      value={currentLanguage()}
      onChange={change}
      suffixIcon={<GlobalOutlined />}
      variant="borderless"
      style={{ width: 120 }}
      options={LANGUAGES.map((l) => ({ value: l, label: t(`language.${l}`) }))}
    />
  );
}
