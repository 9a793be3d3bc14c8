import type { CsvColumn } from '@/features/trace/lib/csv';
import type { Item, RecallScope, RecallShipment } from '@/features/trace/types/trace';

/** Where a recall reaches an item: made into finished goods, still in stock, or shipped. */
export type RecallCategory = 'finished' | 'stock' | 'shipped';

export type Shipment = { customer: string; time: string };

/** The recall answer's shipping events, by item. */
export function shipmentsByItem(shipments: readonly RecallShipment[]): Map<number, Shipment[]> {
  const out = new Map<number, Shipment[]>();
  for (const { item_id: itemId, customer, shipped_at: time } of shipments) {
    out.set(itemId, [...(out.get(itemId) ?? []), { customer, time }]);
  }
  return out;
}

/** One row per item of the scope, with every category it belongs to. */
export type RecallRow = {
  item: Item;
  categories: RecallCategory[];
  location: string | null;
  shipments: Shipment[];
};

/** The scope as rows (an item shipped as finished goods appears once, in both categories). */
export function recallRows(
  scope: RecallScope,
  shipmentsByItem: ReadonlyMap<number, Shipment[]>,
  locationName: (id: number | null) => string | null,
): RecallRow[] {
  const rows = new Map<number, RecallRow>();
  const add = (item: Item, category: RecallCategory) => {
    const row = rows.get(item.id);
    if (row) {
      if (!row.categories.includes(category)) row.categories.push(category);
      return;
    }
    rows.set(item.id, {
      item,
      categories: [category],
      location: locationName(item.location_id),
      shipments: shipmentsByItem.get(item.id) ?? [],
    });
  };
  for (const item of scope.finished) add(item, 'finished');
  for (const item of scope.stock) add(item, 'stock');
  for (const item of scope.shipped) add(item, 'shipped');
  return [...rows.values()];
}

/** Stock still in our hands, grouped by location (`null`: no location recorded). */
export function stockByLocation(stock: readonly Item[]): Map<number | null, Item[]> {
  const groups = new Map<number | null, Item[]>();
  for (const item of stock) {
    const list = groups.get(item.location_id) ?? [];
    list.push(item);
    groups.set(item.location_id, list);
  }
  return groups;
}

/** Shipped items grouped by the customer they went to (`null`: no shipping event found). */
export function shippedByCustomer(
  shipped: readonly Item[],
  shipmentsByItem: ReadonlyMap<number, Shipment[]>,
): Map<string | null, Item[]> {
  const groups = new Map<string | null, Item[]>();
  for (const item of shipped) {
    const customers = shipmentsByItem.get(item.id)?.map((s) => s.customer) ?? [];
    for (const customer of customers.length ? customers : [null]) {
      const list = groups.get(customer) ?? [];
      list.push(item);
      groups.set(customer, list);
    }
  }
  return groups;
}

/** Header texts of the recall CSV, in the reader's language. */
export type RecallCsvHeaders = Record<
  'category' | 'code' | 'kind' | 'material' | 'lot' | 'serial' | 'sscc' | 'quantity' | 'remaining' | 'uom' | 'status' | 'location' | 'customer' | 'shippedAt' | 'expiry',
  string
>;

export function recallCsvColumns(
  headers: RecallCsvHeaders,
  categoryLabel: (category: RecallCategory) => string,
): CsvColumn<RecallRow>[] {
  return [
    { header: headers.category, value: (row) => row.categories.map(categoryLabel).join(' + ') },
    { header: headers.code, value: (row) => row.item.code },
    { header: headers.kind, value: (row) => row.item.kind },
    { header: headers.material, value: (row) => row.item.material },
    { header: headers.lot, value: (row) => row.item.lot },
    { header: headers.serial, value: (row) => row.item.serial },
    { header: headers.sscc, value: (row) => row.item.sscc },
    { header: headers.quantity, value: (row) => row.item.quantity },
    { header: headers.remaining, value: (row) => row.item.remaining },
    { header: headers.uom, value: (row) => row.item.uom },
    { header: headers.status, value: (row) => row.item.status },
    { header: headers.location, value: (row) => row.location },
    { header: headers.customer, value: (row) => row.shipments.map((s) => s.customer).join('; ') },
    { header: headers.shippedAt, value: (row) => row.shipments.map((s) => s.time).join('; ') },
    { header: headers.expiry, value: (row) => row.item.expiry },
  ];
}
