import { useTranslation } from 'react-i18next';

import type { useOfflineQueue } from '@/features/station/hooks/use-offline-queue';
import type { RejectedEntry } from '@/features/station/lib/offline-queue';

type QueuePanelProps = {
  queue: ReturnType<typeof useOfflineQueue>;
  onFix: (entry: RejectedEntry) => void;
};

/** "Pending (n)" while submissions wait for the network, and those the server refused later. */
export function QueuePanel({ queue, onFix }: QueuePanelProps) {
  const { t } = useTranslation();
  if (queue.waiting.length === 0 && queue.refused.length === 0) return null;
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
      {queue.refused.length ? (
        <div className="queue__refused" data-testid="refused">
          <h2>{t('station.queue.refused', { count: queue.refused.length })}</h2>
          <ul>
            {queue.refused.map((entry) => (
              <li key={entry.seq} className="alert alert--danger">
                <span>
                  {entry.body.subject ?? '—'} · {entry.body.node}: {entry.message}
                  {entry.errors.length ? ` (${entry.errors.map((e) => e.message).join(' ')})` : ''}
                </span>
                <span className="queue__actions">
                  <button type="button" className="button" onClick={() => onFix(entry)}>
                    {t('station.queue.fix')}
                  </button>
                  <button
                    type="button"
                    className="button button--secondary"
                    onClick={() => void queue.dismiss(entry.seq!)}
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
