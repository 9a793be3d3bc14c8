import { useTranslation } from 'react-i18next';

/** The station app: the tablet screen where line workers fill the node's form. */
export function StationPage() {
  const { t } = useTranslation();
  return (
    <div className="page">
      <h1>{t('station.title')}</h1>
    </div>
  );
}
