import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';

export function NotFoundRoute() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  return (
    <div className="page" data-testid="not-found">
      <div>
        <h1>{t('notFound.title')}</h1>
        <p className="lead">{t('notFound.body', { path: pathname })}</p>
      </div>
      <p>
        <Link to="/" className="button">
          {t('notFound.backHome')}
        </Link>
      </p>
    </div>
  );
}
