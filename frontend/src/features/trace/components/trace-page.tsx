import { useTranslation } from 'react-i18next';

/** The trace explorer (search, genealogy graph and table, recall). */
export function TracePage() {
  const { t } = useTranslation();
  return (
    <div className="page">
      <h1>{t('trace.title')}</h1>
    </div>
  );
}
