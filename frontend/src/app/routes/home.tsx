import { useTranslation } from 'react-i18next';

import { HealthPanel } from '@/features/system/components/health-panel';

export function HomeRoute() {
  const { t } = useTranslation();
  return (
    <div className="page">
      <div>
        <h1>{t('home.heading')}</h1>
        <p className="lead">{t('home.intro')}</p>
      </div>
      <HealthPanel />
    </div>
  );
}
