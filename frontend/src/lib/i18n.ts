import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

import authEn from '@/locales/auth/en.json';
import authZhCN from '@/locales/auth/zh-CN.json';
import en from '@/locales/en.json';
import stationEn from '@/locales/station/en.json';
import stationZhCN from '@/locales/station/zh-CN.json';
import traceEn from '@/locales/trace/en.json';
import traceZhCN from '@/locales/trace/zh-CN.json';
import zhCN from '@/locales/zh-CN.json';

/** Languages the UI ships. The first match in the browser's preference list wins. */
export const SUPPORTED_LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof SUPPORTED_LANGUAGES)[number];

export const DEFAULT_LANGUAGE: Language = 'en';

/** Where an explicit choice made with the language switcher is remembered. */
export const LANGUAGE_STORAGE_KEY = 'lotline.language';

/**
 * Each language named in itself (an endonym), so a reader can find their own language whatever the
 * current one is. These are deliberately not translated.
 */
export const LANGUAGE_NAMES: Record<Language, string> = {
  'zh-CN': '简体中文',
  en: 'English',
};

/**
 * One resource per language. Screens with many strings keep them in `locales/<feature>/`, merged
 * here under the feature's key (`t('trace.search.placeholder')`), so two features never edit one file.
 */
export const resources = {
  en: { translation: { ...en, auth: authEn, station: stationEn, trace: traceEn } },
  'zh-CN': { translation: { ...zhCN, auth: authZhCN, station: stationZhCN, trace: traceZhCN } },
} as const;

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (SUPPORTED_LANGUAGES as readonly string[]).includes(value);
}

/**
 * Maps one BCP 47 tag from the browser to a supported language: `zh`, `zh-CN`, `zh-Hans-CN`,
 * `zh-TW`… all go to `zh-CN` (the only Chinese we ship; better than falling back to English),
 * `en-GB` goes to `en`.
 */
export function matchLanguage(tag: string): Language | undefined {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  if (primary === 'zh') return 'zh-CN';
  if (primary === 'en') return 'en';
  return undefined;
}

/** The first supported language in a preference list (e.g. `navigator.languages`). */
export function negotiateLanguage(preferences: readonly string[]): Language | undefined {
  for (const tag of preferences) {
    const match = matchLanguage(tag);
    if (match) return match;
  }
  return undefined;
}

export function readStoredLanguage(): Language | undefined {
  try {
    const stored = globalThis.localStorage?.getItem(LANGUAGE_STORAGE_KEY);
    return isLanguage(stored) ? stored : undefined;
  } catch {
    return undefined; // storage disabled (private mode, policy): follow the browser instead
  }
}

function storeLanguage(language: Language): void {
  try {
    globalThis.localStorage?.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // Not persisted; the choice still applies to this page.
  }
}

function browserPreferences(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  if (navigator.languages?.length) return navigator.languages;
  return navigator.language ? [navigator.language] : [];
}

/** An explicit earlier choice, else the browser's preferences, else English. */
export function detectLanguage(): Language {
  return readStoredLanguage() ?? negotiateLanguage(browserPreferences()) ?? DEFAULT_LANGUAGE;
}

/** The app's i18next instance. Created here, configured only by `initI18n()`. */
export const i18n = i18next.createInstance();

/** The language the UI currently shows. */
export function currentLanguage(): Language {
  const language = i18n.resolvedLanguage ?? i18n.language;
  return isLanguage(language) ? language : DEFAULT_LANGUAGE;
}

function syncDocument(): void {
  if (typeof document === 'undefined') return;
  document.documentElement.lang = currentLanguage();
  document.title = i18n.t('app.title');
}

/** Configures the i18next instance. Resources are bundled, so this completes synchronously. */
export function initI18n(language: Language = detectLanguage()): typeof i18n {
  if (i18n.isInitialized) return i18n;
  i18n.on('languageChanged', syncDocument);
  void i18n.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: SUPPORTED_LANGUAGES,
    load: 'currentOnly',
    initAsync: false,
    interpolation: { escapeValue: false }, // React escapes
    returnEmptyString: false,
  });
  syncDocument();
  return i18n;
}

/** Switches the UI language and remembers the choice for the next visit. */
export async function changeLanguage(language: Language): Promise<void> {
  storeLanguage(language);
  await i18n.changeLanguage(language);
}
