import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, useLocation } from 'react-router';

import { useSession } from '@/hooks/use-session';
import { errorMessage } from '@/lib/error-message';
import { loadSession } from '@/lib/session';

/**
 * Guards the routes below it: asks the server who is signed in once, sends anonymous visitors to
 * the sign-in page (coming back here afterwards) and people with an initial password to change it.
 */
export function RequireSession() {
  const { t } = useTranslation();
  const session = useSession();
  const location = useLocation();
  const [failure, setFailure] = useState<unknown>(null);

  const retry = useCallback(() => {
    setFailure(null);
    loadSession().catch(setFailure);
  }, []);

  useEffect(() => {
    if (session === undefined) loadSession().catch(setFailure);
  }, [session]);

  // A server that could not be reached is asked again as soon as the network is back.
  useEffect(() => {
    if (!failure) return;
    window.addEventListener('online', retry);
    return () => window.removeEventListener('online', retry);
  }, [failure, retry]);

  if (failure) {
    return (
      <div className="alert alert--danger" role="alert">
        <p>{errorMessage(failure, t)}</p>
        <button type="button" className="button button--secondary" onClick={retry}>
          {t('common.retry')}
        </button>
      </div>
    );
  }
  if (session === undefined) return <p aria-busy="true">{t('common.loading')}</p>;
  if (session === null) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (session.must_change_password && location.pathname !== '/password') {
    return <Navigate to="/password" replace />;
  }
  return <Outlet />;
}
