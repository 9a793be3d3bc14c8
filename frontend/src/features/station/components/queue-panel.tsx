import { useTranslation } from 'react-i18next';

import type { useOfflineQueue } from '@/features/station/hooks/use-offline-queue';
import type { RejectedEntry } from '@/features/station/lib/offline-queue';

type QueuePanelProps = {
  queue: ReturnType<typeof useOfflineQueue>;
  stepName: (node: string, flow: string) => string;
  onFix: (entry: RejectedEntry) => void;
};

/**
 * "Pending (n)" while this operator's submissions wait for the network, others' that wait for
 * their operator to sign in again, and those the server refused after a sync (to fix, or to
 * discard after a confirmation).
 */
export function QueuePanel({ queue, stepName, onFix }: QueuePanelProps) {
  const { t } = useTranslation();
  if (queue.waiting.length + queue.others.length + queue.refused.length === 0) return null;
  const othersByName = new Map<string, number>();
  for (const entry of queue.others) {
    othersByName.set(entry.operator.name, (othersByName.get(entry.operator.name) ?? 0) + 1);
  }
  return (
    <section className="card queue" aria-label={t('station.queue.title')}>
      {queue.waiting.length ? (
        <div className="queue__pending">
          <strong data-testid="pending-count" data-count={queue.waiting.length}>
            {t('station.queue.pending', { count: queue.waiting.length })}
          </strong>
          <button
            type="button"
            className="button button--secondary"
            disabled={!queue.online}
            onClick={() => void queue.flush()}
          >
            {t('station.queue.sendNow')}
          </button>
        </div>
      ) : null}
      {[...othersByName].map(([name, count]) => (
        <p key={name} className="alert alert--warning" data-testid="pending-others">
          {t('station.queue.others', { count, name })}
        </p>
      ))}
      {queue.refused.length ? (
        <div className="queue__refused" data-testid="refused">
          <h2>{t('station.queue.refused', { count: queue.refused.length })}</h2>
          <ul>
            {queue.refused.map((entry) => (
              <li key={entry.seq} className="alert alert--danger">
                <span>
                  {entry.body.subject ?? '—'} · {stepName(entry.body.node, entry.body.flow)} ·{' '}
                  {entry.operator.name}: {entry.message}
                  {entry.errors.length ? ` (${entry.errors.map((e) => e.message).join(' ')})` : ''}
                </span>
                <span className="queue__actions">
                  <button type="button" className="button" onClick={() => onFix(entry)}>
                    {t('station.queue.fix')}
                  </button>
                  <button
                    type="button"
                    className="button button--secondary"
                    onClick={() => {
                      if (window.confirm(t('station.queue.discardConfirm'))) void queue.dismiss(entry.seq!);
                    }}
                  >
                    {t('station.queue.discard')}
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
