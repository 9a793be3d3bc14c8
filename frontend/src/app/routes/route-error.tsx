import { useTranslation } from 'react-i18next';

/** Shown in place of a route that threw while rendering or loading. */
export function RouteError() {
  const { t } = useTranslation();
  return (
    <div className="page" role="alert" data-testid="route-error">
      <div>
        <h1>{t('routeError.title')}</h1>
        <p className="lead">{t('routeError.body')}</p>
      </div>
      <p>
        <button type="button" className="button" onClick={() => window.location.reload()}>
          {t('routeError.reload')}
        </button>
      </p>
    </div>
  );
}
