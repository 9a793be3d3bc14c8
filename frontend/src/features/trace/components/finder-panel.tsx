import { type FormEvent, type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { errorMessage } from '@/lib/error-message';

import { getMadeFrom } from '@/features/trace/api/get-made-from';
import { getShippedTo } from '@/features/trace/api/get-shipped-to';
import { getTouched } from '@/features/trace/api/get-touched';
import { ItemTable } from '@/features/trace/components/item-table';
import { Segmented } from '@/components/ui/segmented';
import { formatDateTime, localInputToIso } from '@/features/trace/lib/format';
import { useLabels } from '@/features/trace/hooks/use-labels';
import type { Item, Touch, TouchedQuery } from '@/features/trace/types/trace';

import styles from '@/features/trace/components/trace.module.css';

type Mode = 'touched' | 'supplier' | 'customer';
const MODES: Mode[] = ['touched', 'supplier', 'customer'];

type Answer = { mode: Mode; items: Item[]; touches?: Touch[] };

const TOUCHED_FIELDS = ['station', 'equipment', 'operator', 'step'] as const;

/**
 * Search by another dimension than the identifier: what a station, a piece of equipment or an
 * operator touched in a time window; what was made from a supplier's lot; what a customer received.
 */
export function FinderPanel() {
  const { t, i18n } = useTranslation();
  const labels = useLabels();
  const [mode, setMode] = useState<Mode>('touched');
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [error, setError] = useState<unknown>(null);

  const value = (name: string) => values[name] ?? '';
  const set = (name: string) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [name]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'touched') {
        const query: TouchedQuery = {
          station: value('station').trim() || undefined,
          equipment: value('equipment').trim() || undefined,
          operator: value('operator').trim() || undefined,
          step: value('step') || undefined,
          since: localInputToIso(value('since')),
          until: localInputToIso(value('until')),
          limit: 1000,
        };
        const touches = await getTouched(query);
        setAnswer({ mode, items: touches.map((touch) => touch.item), touches });
      } else if (mode === 'supplier') {
        setAnswer({ mode, items: await getMadeFrom(value('supplierLot').trim()) });
      } else {
        setAnswer({ mode, items: await getShippedTo(value('customer').trim()) });
      }
    } catch (failure) {
      setError(failure);
      setAnswer(null);
    } finally {
      setBusy(false);
    }
  };

  const field = (name: string, label: string, input: ReactNode) => (
    <div className="field" key={name}>
      <label htmlFor={`finder-${name}`}>{label}</label>
      {input}
    </div>
  );
  const text = (name: string, label: string, required = false) =>
    field(
      name,
      label,
      <input
        id={`finder-${name}`}
        value={value(name)}
        onChange={set(name)}
        required={required}
        autoComplete="off"
        spellCheck={false}
      />,
    );

  return (
    <section className="card" aria-labelledby="finder-title" data-testid="trace-finder">
      <h2 id="finder-title">{t('trace.finder.title')}</h2>
      <Segmented
        name="finder-mode"
        legend={t('trace.finder.title')}
        hideLegend
        options={MODES}
        value={mode}
        label={(option) => t(`trace.finder.mode.${option}`)}
        onChange={(option) => {
          setMode(option);
          setAnswer(null);
          setError(null);
        }}
      />
      <form className={styles.finderForm} onSubmit={(event) => void submit(event)}>
        {mode === 'touched' && (
          <>
            {TOUCHED_FIELDS.filter((name) => name !== 'step').map((name) => text(name, t(`trace.finder.${name}`)))}
            {field(
              'step',
              t('trace.finder.step'),
              <select id="finder-step" value={value('step')} onChange={set('step')}>
                <option value="">{t('trace.finder.anyStep')}</option>
                {(['receiving', 'assembling', 'inspecting', 'repairing', 'packing', 'shipping'] as const).map((step) => (
                  <option key={step} value={step}>
                    {labels.step(step)}
                  </option>
                ))}
              </select>,
            )}
            {field(
              'since',
              t('trace.finder.since'),
              <input id="finder-since" type="datetime-local" value={value('since')} onChange={set('since')} />,
            )}
            {field(
              'until',
              t('trace.finder.until'),
              <input id="finder-until" type="datetime-local" value={value('until')} onChange={set('until')} />,
            )}
          </>
        )}
        {mode === 'supplier' && text('supplierLot', t('trace.finder.supplierLot'), true)}
        {mode === 'customer' && text('customer', t('trace.finder.customer'), true)}
        <div className={styles.finderSubmit}>
          <button className="button" type="submit" disabled={busy} data-testid="finder-submit">
            {t('trace.finder.submit')}
          </button>
        </div>
      </form>
      {mode === 'touched' && <p className={styles.muted}>{t('trace.finder.touchedHint')}</p>}
      {error !== null && (
        <p className="alert alert--danger" role="alert">
          {errorMessage(error, t)}
        </p>
      )}
      {answer && (
        <div className="page" data-testid="finder-results">
          <p role="status">
            {answer.items.length === 0
              ? t('trace.finder.none')
              : t('trace.finder.count', { count: new Set(answer.items.map((item) => item.id)).size })}
          </p>
          {answer.items.length > 0 && (
            <ItemTable
              items={answer.items}
              {...(answer.touches
                ? {
                    extra: {
                      header: t('trace.finder.event'),
                      cell: (_item: Item, index: number) => {
                        const event = answer.touches?.[index]?.event;
                        if (!event) return null;
                        return (
                          <span>
                            {labels.step(event.biz_step)} · {event.read_point} ·{' '}
                            {formatDateTime(event.event_time, i18n.language)}
                          </span>
                        );
                      },
                    },
                  }
                : {})}
            />
          )}
        </div>
      )}
    </section>
  );
}
