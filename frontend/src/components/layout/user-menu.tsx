import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';

import { useSession } from '@/hooks/use-session';
import { signOut } from '@/lib/session';

import styles from '@/components/layout/app-shell.module.css';

/** Who is signed in (and at which station), with sign-out; a sign-in link otherwise. */
export function UserMenu() {
  const { t } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();

  if (!session) {
    return session === null ? (
      <Link to="/login" className={styles.navLink}>
        {t('auth.signIn.title')}
      </Link>
    ) : null;
  }
  const name = session.full_name || session.username;
  return (
    <div className={styles.user} data-testid="user-menu">
      <span>
        {session.station
          ? t('auth.user.atStation', { name, station: session.station })
          : t('auth.user.signedInAs', { name })}
      </span>
      <button
        type="button"
        className={`button button--secondary ${styles.signOut}`}
        onClick={() => void signOut().finally(() => navigate('/login'))}
      >
        {t('auth.user.signOut')}
      </button>
    </div>
  );
}
