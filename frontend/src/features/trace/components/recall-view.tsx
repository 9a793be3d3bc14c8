import { type FormEvent, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { useSession } from '@/hooks/use-session';
import { errorMessage } from '@/lib/error-message';
import { hasPermission } from '@/lib/session';

import { getLocation } from '@/features/trace/api/get-location';
import { getRecall } from '@/features/trace/api/get-recall';
import { holdRecall } from '@/features/trace/api/hold-recall';
import { ItemTable } from '@/features/trace/components/item-table';
import { downloadCsv, toCsv } from '@/features/trace/lib/csv';
import { formatDateTime } from '@/features/trace/lib/format';
import {
  type RecallCategory,
  recallCsvColumns,
  recallRows,
  type Shipment,
  shippedByCustomer,
  shipmentsByItem,
  stockByLocation,
} from '@/features/trace/lib/recall-scope';
import { useQuery } from '@/features/trace/hooks/use-query';
import type { HoldResult, Location } from '@/features/trace/types/trace';

import styles from '@/features/trace/components/trace.module.css';

type RecallViewProps = { itemId: number; code: string; onHeld: () => void };

/**
 * What a recall of this item reaches: finished items, stock by location, shipments by customer;
 * put the stock on hold (with the `recall.hold` permission) and export the scope as CSV.
 */
export function RecallView({ itemId, code, onHeld }: RecallViewProps) {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const canHold = hasPermission(session, 'recall.hold');
  const recall = useQuery(`recall:${itemId}`, (signal) => getRecall(itemId, signal));
  // After a hold the scope reloads: keep showing the last answer meanwhile.
  const scope = recall.data ?? (recall.loading ? recall.previous : undefined);
  const shipments: Map<number, Shipment[]> = useMemo(() => shipmentsByItem(scope?.shipments ?? []), [scope]);
  const locationIds = useMemo(
    () =>
      [...new Set((scope?.stock ?? []).map((item) => item.location_id).filter((id): id is number => id !== null))].sort(
        (a, b) => a - b,
      ),
    [scope],
  );
  const locations = useQuery(
    locationIds.length ? `locations:${locationIds.join(',')}` : null,
    (signal) => Promise.all(locationIds.map((id) => getLocation(id, signal).catch(() => null))),
  );
  const locationName = (id: number | null): string | null => {
    if (id === null) return null;
    const found = locations.data?.find((location): location is Location => location?.id === id);
    return found ? `${found.code} — ${found.name}` : t('trace.recall.locationId', { id });
  };

  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const [holding, setHolding] = useState(false);
  const [held, setHeld] = useState<HoldResult | null>(null);
  const [holdError, setHoldError] = useState<unknown>(null);

  const categoryLabel = (category: RecallCategory) => t(`trace.recall.category.${category}`);

  if (!scope && recall.loading) return <p aria-busy="true">{t('common.loading')}</p>;
  if (recall.error !== undefined || !scope) {
    return (
      <p className="alert alert--danger" role="alert">
        {errorMessage(recall.error, t)}
      </p>
    );
  }

  const toHold = scope.stock.filter((item) => item.status !== 'hold').length;
  const customerName = (code: string) => {
    const found = scope.customers.find((customer) => customer.code === code);
    const name = found?.business_name ?? found?.name;
    return name ? `${code} — ${name}` : code;
  };
  const byLocation = stockByLocation(scope.stock);
  const byCustomer = shippedByCustomer(scope.shipped, shipments);

  const exportCsv = () => {
    const rows = recallRows(scope, shipments, locationName);
    const columns = recallCsvColumns(
      {
        category: t('trace.csv.category'),
        code: t('trace.item.code'),
        kind: t('trace.item.kind'),
        material: t('trace.item.material'),
        lot: t('trace.item.lot'),
        serial: t('trace.item.serial'),
        sscc: t('trace.item.sscc'),
        quantity: t('trace.item.quantity'),
        remaining: t('trace.item.remaining'),
        uom: t('trace.item.uom'),
        status: t('trace.item.status'),
        location: t('trace.recall.location'),
        customer: t('trace.detail.customer'),
        shippedAt: t('trace.csv.shippedAt'),
        expiry: t('trace.item.expiry'),
      },
      categoryLabel,
    );
    downloadCsv(`recall-${code || itemId}.csv`, toCsv(columns, rows));
  };

  const submitHold = async (event: FormEvent) => {
    event.preventDefault();
    setHolding(true);
    setHoldError(null);
    try {
      setHeld(await holdRecall(itemId, reason.trim()));
      setConfirming(false);
      setReason('');
      recall.reload();
      onHeld();
    } catch (failure) {
      setHoldError(failure);
    } finally {
      setHolding(false);
    }
  };

  return (
    <section className="page" aria-labelledby="recall-title" data-testid="recall-view">
      <div>
        <h2 id="recall-title">{t('trace.recall.title', { code })}</h2>
        <p className={styles.muted}>{t('trace.recall.lead')}</p>
      </div>

      <div className={styles.summary}>
        <Stat value={scope.affected_count} label={t('trace.recall.affected')} testId="recall-affected" />
        <Stat value={scope.finished.length} label={t('trace.recall.finished')} testId="recall-finished-count" />
        <Stat value={scope.stock.length} label={t('trace.recall.stock')} testId="recall-stock-count" />
        <Stat value={scope.shipped.length} label={t('trace.recall.shipped')} testId="recall-shipped-count" />
        <Stat value={[...byCustomer.keys()].filter(Boolean).length} label={t('trace.recall.customers')} testId="recall-customer-count" />
      </div>

      {scope.truncated && (
        <p className="alert alert--warning" role="status">
          {t('trace.recall.truncated')}
        </p>
      )}
      {held && (
        <p className="alert alert--ok" role="status" data-testid="recall-held">
          {t('trace.recall.hold.done', { count: held.held, affected: held.affected })}
        </p>
      )}

      <div className={styles.actions}>
        <button className="button button--secondary" type="button" onClick={exportCsv} data-testid="recall-csv">
          {t('trace.recall.exportCsv')}
        </button>
        {canHold && !confirming && (
          <button
            className="button"
            type="button"
            onClick={() => setConfirming(true)}
            disabled={toHold === 0}
            data-testid="recall-hold"
          >
            {t('trace.recall.hold.button')}
          </button>
        )}
        {canHold && toHold === 0 && <span className={styles.muted}>{t('trace.recall.hold.nothing')}</span>}
      </div>

      {confirming && (
        <form
          className={`card ${styles.confirm}`}
          onSubmit={(event) => void submitHold(event)}
          role="dialog"
          aria-labelledby="hold-title"
          data-testid="recall-hold-confirm"
        >
          <h3 id="hold-title">{t('trace.recall.hold.confirmTitle', { count: toHold })}</h3>
          <p>{t('trace.recall.hold.confirmText')}</p>
          <div className="field">
            <label htmlFor="hold-reason">{t('trace.recall.hold.reason')}</label>
            <textarea
              id="hold-reason"
              required
              maxLength={2000}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
            />
          </div>
          {holdError !== null && (
            <p className="alert alert--danger" role="alert">
              {errorMessage(holdError, t)}
            </p>
          )}
          <div className={styles.actions}>
            <button className="button" type="submit" disabled={holding || !reason.trim()} data-testid="recall-hold-submit">
              {t('trace.recall.hold.confirm', { count: toHold })}
            </button>
            <button className="button button--secondary" type="button" onClick={() => setConfirming(false)}>
              {t('trace.recall.hold.cancel')}
            </button>
          </div>
        </form>
      )}

      <section className="page" aria-labelledby="recall-finished">
        <h3 id="recall-finished">{t('trace.recall.finished')}</h3>
        {scope.finished.length ? (
          <ItemTable items={scope.finished} testId="recall-finished" />
        ) : (
          <p>{t('trace.recall.none')}</p>
        )}
      </section>

      <section className="page" aria-labelledby="recall-stock">
        <h3 id="recall-stock">{t('trace.recall.stockByLocation')}</h3>
        {scope.stock.length === 0 && <p>{t('trace.recall.none')}</p>}
        {[...byLocation].map(([locationId, items]) => (
          <div key={locationId ?? 'none'} className="page">
            <h4>{locationId === null ? t('trace.recall.noLocation') : locationName(locationId)}</h4>
            <ItemTable items={items} testId="recall-stock" />
          </div>
        ))}
      </section>

      <section className="page" aria-labelledby="recall-shipments">
        <h3 id="recall-shipments">{t('trace.recall.shipmentsByCustomer')}</h3>
        {scope.shipped.length === 0 && <p>{t('trace.recall.none')}</p>}
        {[...byCustomer].map(([customer, items]) => (
          <div key={customer ?? 'none'} className="page" data-testid="recall-customer">
            <h4>
              {customer === null
                ? t('trace.recall.unknownCustomer')
                : customerName(customer)}{' '}
              <span className={styles.muted}>({t('trace.recall.itemCount', { count: items.length })})</span>
            </h4>
            <ItemTable
              items={items}
              extra={{
                header: t('trace.csv.shippedAt'),
                cell: (item) =>
                  (shipments.get(item.id) ?? [])
                    .filter((entry) => entry.customer === customer)
                    .map((entry) => formatDateTime(entry.time, i18n.language))
                    .join(', '),
              }}
            />
          </div>
        ))}
      </section>
    </section>
  );
}

function Stat({ value, label, testId }: { value: number; label: string; testId: string }) {
  return (
    <div className={styles.stat}>
      <span className={styles.statValue} data-testid={testId}>
        {value}
      </span>
      <span className={styles.statLabel}>{label}</span>
    </div>
  );
}
