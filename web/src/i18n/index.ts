import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en';
import zhCN from './zh-CN';

export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = 'crm.language';

/** A supported language for a tag such as `zh`, `zh-Hans-CN` or `en-GB`. */
export function supportedLanguage(tag: string | null | undefined): Language | null {
  if (!tag) return null;
  const lower = tag.toLowerCase();
  if (lower.startsWith('zh')) return 'zh-CN';
  if (lower.startsWith('en')) return 'en';
  return null;
}

function initialLanguage(): Language {
  try {
    const saved = supportedLanguage(localStorage.getItem(STORAGE_KEY));
    if (saved) return saved;
  } catch {
    // no storage
  }
  return supportedLanguage(typeof navigator === 'undefined' ? null : navigator.language) ?? 'en';
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
  lng: initialLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
  showSupportNotice: false,
});

/** Switches the language live and remembers it in this browser. */
export function setLanguage(language: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // no storage
  }
  document.documentElement.lang = language;
  void i18n.changeLanguage(language);
}

export function currentLanguage(): Language {
  return supportedLanguage(i18n.language) ?? 'en';
}

if (typeof document !== 'undefined') document.documentElement.lang = currentLanguage();

export default i18n;
