import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { ItemStatusBadge } from '@/features/trace/components/item-status-badge';
import { formatQuantity } from '@/features/trace/lib/format';
import { useLabels } from '@/features/trace/hooks/use-labels';
import type { Item } from '@/features/trace/types/trace';

import styles from '@/features/trace/components/trace.module.css';

type ItemTableProps = {
  items: readonly Item[];
  caption?: string;
  testId?: string;
  /** Extra column after the code (e.g. the event that touched the item). */
  extra?: { header: string; cell: (item: Item, index: number) => ReactNode };
};

/** Items found by a search, each linking to its genealogy. */
export function ItemTable({ items, caption, testId, extra }: ItemTableProps) {
  const { t } = useTranslation();
  return (
    <div className={styles.tableWrap}>
      <table className="table" data-testid={testId}>
        {caption && <caption className="visually-hidden">{caption}</caption>}
        <thead>
          <tr>
            <th scope="col">{t('trace.item.code')}</th>
            {extra && <th scope="col">{extra.header}</th>}
            <ItemHeaders />
          </tr>
        </thead>
        <tbody>
          {items.map((item, index) => (
            <tr key={`${item.id}-${index}`}>
              <td>
                <Link className={styles.code} to={`/trace/items/${item.id}`}>
                  {item.code}
                </Link>
              </td>
              {extra && <td>{extra.cell(item, index)}</td>}
              <ItemCells item={item} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Header cells for `ItemCells`. */
export function ItemHeaders() {
  const { t } = useTranslation();
  return (
    <>
      <th scope="col">{t('trace.item.kind')}</th>
      <th scope="col">{t('trace.item.material')}</th>
      <th scope="col">{t('trace.item.quantity')}</th>
      <th scope="col">{t('trace.item.status')}</th>
    </>
  );
}

/** An item's kind, material, quantity left and status as table cells. */
export function ItemCells({ item }: { item: Item }) {
  const { i18n } = useTranslation();
  const labels = useLabels();
  return (
    <>
      <td>{labels.kind(item.kind)}</td>
      <td>{item.material}</td>
      <td>{formatQuantity(item.remaining ?? item.quantity, item.uom, i18n.language)}</td>
      <td>
        <ItemStatusBadge status={item.status} />
      </td>
    </>
  );
}
