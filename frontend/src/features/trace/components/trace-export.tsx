import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { errorMessage } from '@/lib/error-message';

import { downloadTaskUrl } from '@/features/trace/api/download-task';
import { useTraceExport } from '@/features/trace/hooks/use-trace-export';
import type { Direction } from '@/features/trace/types/trace';

import styles from '@/features/trace/components/trace.module.css';

/** Seconds since `since` (ISO), ticking every second while `active`. */
function useElapsed(since: string | null | undefined, active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  if (!since) return 0;
  return Math.max(0, Math.round((now - new Date(since).getTime()) / 1000));
}

/** The whole trace, however large, as a CSV made by a background task: start, progress, download. */
export function TraceExport({ itemId, direction }: { itemId: number; direction: Direction }) {
  const { t } = useTranslation();
  const { task, error, starting, start } = useTraceExport(itemId, direction);
  const pending = task !== null && (task.status === 'queued' || task.status === 'running');
  const elapsed = useElapsed(task?.created_at, pending);
  const progress = task?.status === 'running' ? task.progress : null;

  return (
    <div className={styles.actions} data-testid="trace-export" data-status={task?.status ?? 'idle'}>
      {(task === null || task.status === 'failed') && (
        <button className="button button--secondary" type="button" onClick={start} disabled={starting}>
          {t(`trace.export.start.${direction}`)}
        </button>
      )}
      {pending && (
        <>
          {progress?.percent != null ? (
            <progress
              className={styles.progress}
              aria-label={t('trace.export.progress')}
              max={100}
              value={progress.percent}
            />
          ) : (
            <progress className={styles.progress} aria-label={t('trace.export.progress')} />
          )}
          <span role="status">
            {task.status === 'queued'
              ? t('trace.export.queued')
              : progress?.phase === 'tracing'
                ? t('trace.export.tracing', { count: progress.done, seconds: elapsed })
                : progress?.phase === 'writing' && progress.total !== null
                  ? t('trace.export.writing', {
                      percent: progress.percent ?? 0,
                      done: progress.done,
                      total: progress.total,
                      seconds: elapsed,
                    })
                  : t('trace.export.running', { seconds: elapsed })}
          </span>
        </>
      )}
      {task?.status === 'done' && (
        <>
          <span role="status">{t('trace.export.done', { count: task.result?.rows ?? 0 })}</span>
          <a className="button" href={downloadTaskUrl(task.id)} download data-testid="trace-export-download">
            {t('trace.export.download')}
          </a>
        </>
      )}
      {task?.status === 'failed' && (
        <span className="alert alert--danger" role="alert">
          {t('trace.export.failed', { error: task.error ?? '' })}
        </span>
      )}
      {error !== null && (
        <span className="alert alert--danger" role="alert">
          {errorMessage(error, t)}
        </span>
      )}
    </div>
  );
}
