import { lazy, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';

import { errorMessage } from '@/lib/error-message';

import { getTrace } from '@/features/trace/api/get-trace';
import { ItemDetail } from '@/features/trace/components/item-detail';
import { Segmented } from '@/components/ui/segmented';
import { TraceExport } from '@/features/trace/components/trace-export';
import { TraceTable } from '@/features/trace/components/trace-table';
import { buildTraceGraph } from '@/features/trace/lib/trace-graph';
import { useQuery } from '@/features/trace/hooks/use-query';
import type { Direction } from '@/features/trace/types/trace';

import styles from '@/features/trace/components/trace.module.css';

/** React Flow and dagre are heavy: the graph is its own chunk, loaded when first shown. */
const TraceGraph = lazy(async () => ({
  default: (await import('@/features/trace/components/trace-graph')).TraceGraph,
}));

/** Levels shown at first and added by each "load more". */
const INITIAL_DEPTH = 3;
const DEPTH_STEP = 3;
/** Items shown at first; "load more" doubles it, up to what the API allows. */
const INITIAL_MAX_ITEMS = 500;
const MAX_ITEMS = 50_000;
const NO_LEVELS: number[] = [];

type View = 'graph' | 'table';

function readInt(value: string | null, fallback: number | undefined): number | undefined {
  if (value === 'all') return undefined;
  const parsed = value === null ? NaN : Number(value);
  return Number.isInteger(parsed) && parsed >= 0 ? parsed : fallback;
}

/**
 * An item's backward or forward genealogy as a graph or a table, a level at a time; the state
 * (direction, view, depth, selected item) lives in the URL so a trace can be shared.
 */
export function GenealogyView({ itemId }: { itemId: number }) {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const direction: Direction = params.get('direction') === 'forward' ? 'forward' : 'backward';
  const view: View = params.get('view') === 'table' ? 'table' : 'graph';
  const maxDepth = readInt(params.get('depth'), INITIAL_DEPTH);
  const maxItems = readInt(params.get('limit'), INITIAL_MAX_ITEMS) ?? INITIAL_MAX_ITEMS;
  const selected = readInt(params.get('selected'), undefined);

  const update = (changes: Record<string, string | null>) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [key, value] of Object.entries(changes)) {
          if (value === null) next.delete(key);
          else next.set(key, value);
        }
        return next;
      },
      { replace: true },
    );

  const query = { direction, maxDepth, maxItems, events: direction === 'forward' };
  const trace = useQuery(`trace:${itemId}:${JSON.stringify(query)}`, (signal) => getTrace(itemId, query, signal));
  const shown = trace.data ?? (trace.loading ? trace.previous : undefined);
  // Crowded levels are folded in the graph until opened (per direction; the table shows them all).
  const [opened, setOpened] = useState<{ direction: Direction; levels: number[] }>({ direction, levels: [] });
  const expanded = opened.direction === direction ? opened.levels : NO_LEVELS;
  const graph = useMemo(
    () => (shown ? buildTraceGraph(shown, { maxDepth, expanded }) : undefined),
    [shown, maxDepth, expanded],
  );
  const expand = (depth: number) => setOpened({ direction, levels: [...expanded, depth] });
  const selectedItem = shown?.items.find((item) => item.id === selected);

  const loadMore = () =>
    update({
      depth: maxDepth === undefined ? null : String(maxDepth + DEPTH_STEP),
      limit: String(Math.min(maxItems * 2, MAX_ITEMS)),
    });
  const select = (id: number | null) => update({ selected: id === null ? null : String(id) });

  return (
    <section className="page" aria-labelledby="genealogy-title">
      <h2 id="genealogy-title" className="visually-hidden">
        {t('trace.tabs.genealogy')}
      </h2>
      <div className={styles.toolbar}>
        <Segmented
          name="trace-direction"
          legend={t('trace.direction.legend')}
          options={['backward', 'forward'] as const}
          value={direction}
          label={(option) => t(`trace.direction.${option}`)}
          onChange={(option) => update({ direction: option, depth: null, limit: null, selected: null })}
          testId="trace-direction"
        />
        <Segmented
          name="trace-view"
          legend={t('trace.view.legend')}
          options={['graph', 'table'] as const}
          value={view}
          label={(option) => t(`trace.view.${option}`)}
          onChange={(option) => update({ view: option })}
          testId="trace-view"
        />
      </div>

      {trace.error !== undefined && (
        <p className="alert alert--danger" role="alert">
          {errorMessage(trace.error, t)}
        </p>
      )}
      {trace.loading && <p aria-busy="true">{t('trace.loading')}</p>}

      {shown && graph && (
        <>
          <p className={styles.muted} data-testid="trace-summary">
            {t('trace.summary', { items: shown.items.length, levels: graph.levels })}
          </p>
          {shown.truncated && (
            <div className="alert alert--warning" role="status" data-testid="trace-truncated">
              <p>
                {maxDepth === undefined
                  ? t('trace.truncated.items', { items: shown.items.length })
                  : t('trace.truncated.levels', { count: maxDepth, items: shown.items.length })}
              </p>
              <div className={styles.actions}>
                <button
                  className="button"
                  type="button"
                  onClick={loadMore}
                  disabled={trace.loading}
                  data-testid="trace-load-more"
                >
                  {t('trace.loadMore')}
                </button>
                <TraceExport key={`${itemId}-${direction}`} itemId={itemId} direction={direction} />
              </div>
            </div>
          )}
          <div className={styles.explorer} data-detail={selectedItem ? 'true' : 'false'}>
            {view === 'graph' ? (
              <Suspense fallback={<p aria-busy="true">{t('trace.graph.loading')}</p>}>
                <TraceGraph
                  graph={graph}
                  narrow={!!selectedItem}
                  selected={selected ?? null}
                  onSelect={select}
                  onExpand={expand}
                />
              </Suspense>
            ) : (
              <TraceTable trace={shown} selected={selected ?? null} onSelect={select} />
            )}
            {selectedItem && (
              <ItemDetail key={selectedItem.id} item={selectedItem} onClose={() => select(null)} />
            )}
          </div>
          {!shown.truncated && (
            <div className={styles.actions}>
              <TraceExport key={`${itemId}-${direction}`} itemId={itemId} direction={direction} />
            </div>
          )}
        </>
      )}
    </section>
  );
}
