import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { errorMessage } from '@/lib/error-message';

import { getItemEvents } from '@/features/trace/api/get-item-events';
import { getMassBalance } from '@/features/trace/api/get-mass-balance';
import { ItemStatusBadge } from '@/features/trace/components/item-status-badge';
import { RecordDetails } from '@/features/trace/components/record-details';
import { formatDateTime, formatQuantity } from '@/features/trace/lib/format';
import { useLabels } from '@/features/trace/hooks/use-labels';
import { useQuery } from '@/features/trace/hooks/use-query';
import type { Item, MassBalance, TraceEvent } from '@/features/trace/types/trace';

import styles from '@/features/trace/components/trace.module.css';

/** Up to this many events show their record (results, signatures) at once; more load on demand. */
const AUTO_RECORDS = 12;

type ItemDetailProps = { item: Item; onClose: () => void };

/** The selected item: its mass balance and every event that touched it, with results and signatures. */
export function ItemDetail({ item, onClose }: ItemDetailProps) {
  const { t } = useTranslation();
  const balance = useQuery(`balance:${item.id}`, (signal) => getMassBalance(item.id, signal));
  const events = useQuery(`events:${item.id}`, (signal) => getItemEvents(item.id, signal));
  const own = dedupe(events.data?.items ?? []);
  // On a narrow screen the panel opens below the graph: bring its top into view.
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    panel.current?.scrollIntoView?.({ block: 'nearest' });
  }, []);

  return (
    <aside
      ref={panel}
      className={`card ${styles.detail}`}
      aria-labelledby="item-detail-title"
      data-testid="item-detail"
    >
      <div className={styles.detailHead}>
        <div>
          <h2 id="item-detail-title" className={styles.code}>
            {item.code}
          </h2>
          <ItemStatusBadge status={item.status} />
        </div>
        <button className="button button--secondary" type="button" onClick={onClose}>
          {t('trace.detail.close')}
        </button>
      </div>
      <p>
        <Link to={`/trace/items/${item.id}`}>{t('trace.detail.open')}</Link>
      </p>

      <section aria-labelledby="mass-balance-title">
        <h3 id="mass-balance-title">{t('trace.massBalance.title')}</h3>
        {balance.loading && <p aria-busy="true">{t('common.loading')}</p>}
        {balance.error !== undefined && (
          <p className="alert alert--danger" role="alert">
            {errorMessage(balance.error, t)}
          </p>
        )}
        {balance.data && <MassBalanceList balance={balance.data} />}
      </section>

      <section aria-labelledby="events-title">
        <h3 id="events-title">{t('trace.detail.events')}</h3>
        {events.loading && <p aria-busy="true">{t('common.loading')}</p>}
        {events.error !== undefined && (
          <p className="alert alert--danger" role="alert">
            {errorMessage(events.error, t)}
          </p>
        )}
        {events.data && own.length === 0 && <p>{t('trace.detail.noEvents')}</p>}
        <ol className={styles.events} data-testid="item-events">
          {own.map((event) => (
            <EventEntry key={event.id} event={event} autoRecord={own.length <= AUTO_RECORDS} />
          ))}
        </ol>
        {events.data && events.data.total > events.data.items.length && (
          <p data-testid="item-events-more">
            {t('trace.detail.moreEvents', { shown: events.data.items.length, total: events.data.total })}
          </p>
        )}
      </section>
    </aside>
  );
}

function dedupe(events: TraceEvent[]): TraceEvent[] {
  const seen = new Set<number>();
  return events.filter((event) => !seen.has(event.id) && seen.add(event.id));
}

function MassBalanceList({ balance }: { balance: MassBalance }) {
  const { t, i18n } = useTranslation();
  const q = (value: number) => formatQuantity(value, balance.uom, i18n.language);
  const balanced = Math.abs(balance.difference) < 1e-9;
  return (
    <>
      <dl className={styles.balance} data-testid="mass-balance">
        <dt>{t('trace.massBalance.in')}</dt>
        <dd>{q(balance.received_or_produced)}</dd>
        <dt>{t('trace.massBalance.consumed')}</dt>
        <dd>{q(balance.consumed)}</dd>
        <dt>{t('trace.massBalance.shipped')}</dt>
        <dd>{q(balance.shipped)}</dd>
        <dt>{t('trace.massBalance.scrapped')}</dt>
        <dd>{q(balance.scrapped)}</dd>
        <dt>{t('trace.massBalance.remaining')}</dt>
        <dd>{q(balance.remaining)}</dd>
      </dl>
      <p className={`alert ${balanced ? 'alert--ok' : 'alert--warning'}`} role="status">
        {balanced ? t('trace.massBalance.balanced') : t('trace.massBalance.unbalanced', { difference: q(balance.difference) })}
      </p>
    </>
  );
}

function EventEntry({ event, autoRecord }: { event: TraceEvent; autoRecord: boolean }) {
  const { t, i18n } = useTranslation();
  const labels = useLabels();
  const [showRecord, setShowRecord] = useState(autoRecord);
  const equipment = event.how.equipment ?? [];
  const inputs = event.what.inputs ?? [];
  return (
    <li className={styles.event} data-testid="item-event" data-step={event.biz_step ?? ''}>
      <div className={styles.eventTitle}>
        <span>{labels.step(event.biz_step) || event.why.node || event.event_type}</span>
        <time dateTime={event.event_time}>{formatDateTime(event.event_time, i18n.language)}</time>
      </div>
      <dl>
        {event.read_point && (
          <>
            <dt>{t('trace.detail.station')}</dt>
            <dd>{event.read_point}</dd>
          </>
        )}
        {equipment.length > 0 && (
          <>
            <dt>{t('trace.detail.equipment')}</dt>
            <dd>{equipment.join(', ')}</dd>
          </>
        )}
        {event.how.operator && (
          <>
            <dt>{t('trace.detail.operator')}</dt>
            <dd>{event.how.operator}</dd>
          </>
        )}
        {inputs.length > 0 && (
          <>
            <dt>{t('trace.detail.inputs')}</dt>
            <dd>
              {inputs
                .map((input) => `${input.code} × ${formatQuantity(input.quantity, input.uom, i18n.language)}`)
                .join(', ')}
            </dd>
          </>
        )}
        {event.biz_location && (
          <>
            <dt>{event.biz_step === 'shipping' ? t('trace.detail.customer') : t('trace.detail.location')}</dt>
            <dd>{event.biz_location}</dd>
          </>
        )}
      </dl>
      {showRecord ? (
        <RecordDetails recordId={event.record_id} />
      ) : (
        <button className="button button--secondary" type="button" onClick={() => setShowRecord(true)}>
          {t('trace.detail.showRecord')}
        </button>
      )}
    </li>
  );
}
