import { useTranslation } from 'react-i18next';
import { Link, NavLink, Route, Routes, useParams } from 'react-router';

import { errorMessage } from '@/lib/error-message';

import { getItem } from '@/features/trace/api/get-item';
import { GenealogyView } from '@/features/trace/components/genealogy-view';
import { ItemStatusBadge } from '@/features/trace/components/item-status-badge';
import { RecallView } from '@/features/trace/components/recall-view';
import { formatQuantity } from '@/features/trace/lib/format';
import { useLabels } from '@/features/trace/hooks/use-labels';
import { useQuery } from '@/features/trace/hooks/use-query';

import styles from '@/features/trace/components/trace.module.css';

/** `/trace/items/:itemId/*`: the item's facts, then its genealogy or its recall scope. */
export function ItemScreen() {
  const { t, i18n } = useTranslation();
  const labels = useLabels();
  const itemId = Number(useParams().itemId);
  const valid = Number.isInteger(itemId) && itemId > 0;
  const item = useQuery(valid ? `item:${itemId}` : null, (signal) => getItem(itemId, signal));

  if (!valid) {
    return (
      <p className="alert alert--danger" role="alert">
        {t('trace.item.invalid')}
      </p>
    );
  }
  // While this item reloads (after a hold) its last answer stays; another item's never shows.
  const current = item.data ?? (item.loading && item.previous?.id === itemId ? item.previous : undefined);

  return (
    <div className="page">
      <p>
        <Link to="/trace">{t('trace.backToSearch')}</Link>
      </p>
      {item.error !== undefined && (
        <p className="alert alert--danger" role="alert">
          {errorMessage(item.error, t)}
        </p>
      )}
      {!current && item.loading && <p aria-busy="true">{t('common.loading')}</p>}
      {current && (
        <header className="card" data-testid="trace-item-header">
          <div className={styles.itemHeader}>
            <h1 data-testid="trace-item-code">{current.code}</h1>
            <ItemStatusBadge status={current.status} />
          </div>
          <dl className={styles.facts}>
            <div>
              <dt>{t('trace.item.kind')}</dt>
              <dd>{labels.kind(current.kind)}</dd>
            </div>
            {current.material && (
              <div>
                <dt>{t('trace.item.material')}</dt>
                <dd>{current.material}</dd>
              </div>
            )}
            {current.gtin && (
              <div>
                <dt>{t('trace.item.gtin')}</dt>
                <dd className={styles.code}>{current.gtin}</dd>
              </div>
            )}
            {current.supplier_lot && (
              <div>
                <dt>{t('trace.item.supplierLot')}</dt>
                <dd className={styles.code}>{current.supplier_lot}</dd>
              </div>
            )}
            {current.quantity !== null && (
              <div>
                <dt>{t('trace.item.remaining')}</dt>
                <dd>
                  {formatQuantity(current.remaining, current.uom, i18n.language)} /{' '}
                  {formatQuantity(current.quantity, current.uom, i18n.language)}
                </dd>
              </div>
            )}
            {current.expiry && (
              <div>
                <dt>{t('trace.item.expiry')}</dt>
                <dd>{current.expiry}</dd>
              </div>
            )}
          </dl>
        </header>
      )}
      <nav className={styles.tabs} aria-label={t('trace.tabs.label')}>
        <NavLink end to={`/trace/items/${itemId}`} className={styles.tab} data-testid="tab-genealogy">
          {t('trace.tabs.genealogy')}
        </NavLink>
        <NavLink to={`/trace/items/${itemId}/recall`} className={styles.tab} data-testid="tab-recall">
          {t('trace.tabs.recall')}
        </NavLink>
      </nav>
      <Routes>
        <Route index element={<GenealogyView key={itemId} itemId={itemId} />} />
        <Route
          path="recall"
          element={
            <RecallView key={itemId} itemId={itemId} code={current?.code ?? ''} onHeld={item.reload} />
          }
        />
      </Routes>
    </div>
  );
}
