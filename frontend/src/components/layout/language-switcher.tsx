import { useTranslation } from 'react-i18next';

import {
  changeLanguage,
  currentLanguage,
  isLanguage,
  LANGUAGE_NAMES,
  SUPPORTED_LANGUAGES,
} from '@/lib/i18n';

import styles from '@/components/layout/language-switcher.module.css';

/** Switches the UI language; the choice is remembered in localStorage. */
export function LanguageSwitcher() {
  const { t } = useTranslation(); // re-renders on language change
  const language = currentLanguage();

  return (
    <label className={styles.switcher}>
      <svg className={styles.icon} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <circle cx="12" cy="12" r="9" />
        <path d="M3 12h18M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9S9.5 5.6 12 3z" />
      </svg>
      <span className="visually-hidden">{t('language.label')}</span>
      <select
        className={styles.select}
        data-testid="language-switcher"
        value={language}
        onChange={(event) => {
          const next = event.target.value;
          if (isLanguage(next)) void changeLanguage(next);
        }}
      >
        {SUPPORTED_LANGUAGES.map((code) => (
          <option key={code} value={code} lang={code}>
            {LANGUAGE_NAMES[code]}
          </option>
        ))}
      </select>
    </label>
  );
}
