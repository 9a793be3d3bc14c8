import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet } from 'react-router';

import { LanguageSwitcher } from '@/components/layout/language-switcher';
import { UserMenu } from '@/components/layout/user-menu';

import styles from '@/components/layout/app-shell.module.css';

/** Header (product name, navigation, language) around the current route. */
export function AppShell() {
  const { t } = useTranslation();

  return (
    <div className={styles.shell}>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className={styles.header}>
        <div className={styles.bar}>
          <Link to="/" className={styles.brand}>
            <svg className={styles.logo} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
              <rect width="32" height="32" rx="6" fill="currentColor" />
              <path
                d="M7 22h18M9 10v12M16 14v8M23 8v14"
                stroke="var(--color-header-bg)"
                strokeWidth="3"
                strokeLinecap="round"
              />
            </svg>
            <span className={styles.brandText}>
              <span className={styles.title} data-testid="app-title">
                {t('app.title')}
              </span>
              <span className={styles.tagline}>{t('app.tagline')}</span>
            </span>
          </Link>
          <nav className={styles.nav} aria-label={t('nav.label')}>
            <ul>
              <li>
                <NavLink to="/" end className={styles.navLink}>
                  {t('nav.home')}
                </NavLink>
              </li>
              <li>
                <NavLink to="/station" className={styles.navLink}>
                  {t('nav.station')}
                </NavLink>
              </li>
              <li>
                <NavLink to="/trace" className={styles.navLink}>
                  {t('nav.trace')}
                </NavLink>
              </li>
            </ul>
          </nav>
          <UserMenu />
          <LanguageSwitcher />
        </div>
      </header>
      <main id="main" className={styles.main} tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
