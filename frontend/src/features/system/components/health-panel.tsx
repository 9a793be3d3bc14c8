import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';

import { StatusBadge, type StatusTone } from '@/components/ui/status-badge';
import { useHealth } from '@/features/system/hooks/use-health';
import type { Health } from '@/features/system/types/health';
import { ApiError } from '@/lib/api-client';
import { errorMessage } from '@/lib/error-message';

import styles from '@/features/system/components/health-panel.module.css';

// Product names, the same in every language.
const DIALECT_NAMES: Record<string, string> = {
  sqlite: 'SQLite',
  postgresql: 'PostgreSQL',
};

function stateTone(state: string): StatusTone {
  switch (state) {
    case 'ok':
      return 'ok';
    case 'degraded':
      return 'warning';
    case 'down':
      return 'danger';
    default:
      return 'neutral';
  }
}

function stateLabel(t: TFunction, state: string): string {
  switch (state) {
    case 'ok':
      return t('system.health.state.ok');
    case 'down':
      return t('system.health.state.down');
    case 'disabled':
      return t('system.health.state.disabled');
    case 'degraded':
      return t('system.health.state.degraded');
    default:
      return t('system.health.state.unknown', { value: state });
  }
}

function overallLabel(t: TFunction, status: string): string {
  switch (status) {
    case 'ok':
      return t('system.health.overall.ok');
    case 'degraded':
      return t('system.health.overall.degraded');
    default:
      return t('system.health.overall.unknown', { value: status });
  }
}

function jobModeLabel(t: TFunction, mode: string): string {
  switch (mode) {
    case 'inline':
      return t('system.health.jobMode.inline');
    case 'rq':
      return t('system.health.jobMode.rq');
    default:
      return t('system.health.jobMode.unknown', { value: mode });
  }
}

function HealthDetails({ health }: { health: Health }) {
  const { t } = useTranslation();
  return (
    <>
      <p className={styles.summary}>
        <StatusBadge tone={stateTone(health.status)} data-testid="health-overall">
          {overallLabel(t, health.status)}
        </StatusBadge>
      </p>
      <dl className={styles.list}>
        <div className={styles.row} data-testid="health-database">
          <dt>{t('system.health.database')}</dt>
          <dd>
            <StatusBadge tone={stateTone(health.database.status)}>
              {stateLabel(t, health.database.status)}
            </StatusBadge>
            <span className={styles.detail}>
              {DIALECT_NAMES[health.database.dialect] ?? health.database.dialect}
            </span>
          </dd>
        </div>
        <div className={styles.row} data-testid="health-redis">
          <dt>{t('system.health.redis')}</dt>
          <dd>
            <StatusBadge tone={stateTone(health.redis.status)}>
              {stateLabel(t, health.redis.status)}
            </StatusBadge>
          </dd>
        </div>
        <div className={styles.row} data-testid="health-jobs">
          <dt>{t('system.health.jobs')}</dt>
          <dd>{jobModeLabel(t, health.jobs.mode)}</dd>
        </div>
        <div className={styles.row} data-testid="health-version">
          <dt>{t('system.health.version')}</dt>
          <dd>{health.version}</dd>
        </div>
      </dl>
    </>
  );
}

function HealthError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t } = useTranslation();
  const requestId = error instanceof ApiError ? error.requestId : undefined;
  return (
    <div role="alert" className={styles.error}>
      <p className={styles.errorTitle}>{t('system.health.loadFailed')}</p>
      <p>{errorMessage(error, t)}</p>
      {requestId ? <p className={styles.detail}>{t('common.requestId', { id: requestId })}</p> : null}
      <button type="button" className="button" onClick={onRetry}>
        {t('common.retry')}
      </button>
    </div>
  );
}

/** The database, Redis and job-queue state reported by GET /api/health, in words. */
export function HealthPanel() {
  const { t } = useTranslation();
  const { result, isFetching, refetch } = useHealth();

  const dataStatus =
    result === undefined ? 'loading' : result.status === 'error' ? 'error' : result.data.status;

  return (
    <section
      className={styles.panel}
      aria-labelledby="health-panel-title"
      aria-busy={isFetching}
      data-testid="health-status"
      data-status={dataStatus}
    >
      <div className={styles.header}>
        <h2 id="health-panel-title">{t('system.health.title')}</h2>
        {result?.status === 'success' ? (
          <button
            type="button"
            className="button button--secondary"
            onClick={refetch}
            disabled={isFetching}
          >
            {t('common.refresh')}
          </button>
        ) : null}
      </div>
      {result === undefined ? (
        <p role="status" className={styles.detail}>
          {t('system.health.checking')}
        </p>
      ) : result.status === 'error' ? (
        <HealthError error={result.error} onRetry={refetch} />
      ) : (
        <HealthDetails health={result.data} />
      )}
    </section>
  );
}
