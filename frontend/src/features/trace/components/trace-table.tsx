import type { TFunction } from 'i18next';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';

import { ItemCells, ItemHeaders } from '@/features/trace/components/item-table';
import { customersByItem, neighbourCodes } from '@/features/trace/lib/trace-graph';
import type { Trace } from '@/features/trace/types/trace';

import styles from '@/features/trace/components/trace.module.css';

type TraceTableProps = {
  trace: Trace;
  selected: number | null;
  onSelect: (itemId: number) => void;
};

/** The genealogy as a table, level by level: what each item came from, went into, was shipped to. */
export function TraceTable({ trace, selected, onSelect }: TraceTableProps) {
  const { t } = useTranslation();
  const neighbours = useMemo(() => neighbourCodes(trace), [trace]);
  const customers = useMemo(() => customersByItem(trace.events), [trace]);
  const rows = useMemo(
    () =>
      [...trace.items].sort(
        (a, b) =>
          (trace.depth[String(a.id)] ?? 0) - (trace.depth[String(b.id)] ?? 0) || a.code.localeCompare(b.code),
      ),
    [trace],
  );
  const showCustomers = trace.direction === 'forward';

  return (
    <div className={styles.tableWrap}>
      <table className="table" data-testid="trace-table">
        <caption className="visually-hidden">{t('trace.view.table')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('trace.table.level')}</th>
            <th scope="col">{t('trace.item.code')}</th>
            <ItemHeaders />
            <th scope="col">{t('trace.table.from')}</th>
            <th scope="col">{t('trace.table.into')}</th>
            {showCustomers && <th scope="col">{t('trace.table.customers')}</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((item) => {
            const links = neighbours.get(item.id);
            return (
              <tr key={item.id} aria-selected={item.id === selected} data-testid={`trace-row-${item.code}`}>
                <td>{trace.depth[String(item.id)] ?? 0}</td>
                <td>
                  <button type="button" className={styles.linkButton} onClick={() => onSelect(item.id)}>
                    {item.code}
                  </button>
                </td>
                <ItemCells item={item} />
                <td className={styles.code}>{shortList(links?.from ?? [], t)}</td>
                <td className={styles.code}>{shortList(links?.into ?? [], t)}</td>
                {showCustomers && (
                  <td className={styles.code}>
                    {shortList(customers.get(item.id)?.map((entry) => entry.customer) ?? [], t)}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Codes an item links to, the first few of them: a lot may go into thousands of units. */
const SHOWN_LINKS = 5;

function shortList(codes: readonly string[], t: TFunction): string {
  if (codes.length <= SHOWN_LINKS) return codes.join(', ');
  return `${codes.slice(0, SHOWN_LINKS).join(', ')} ${t('trace.table.andMore', { count: codes.length - SHOWN_LINKS })}`;
}
