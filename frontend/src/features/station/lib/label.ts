import type { CreatedItem } from '@/features/station/types/station';

/**
 * What a label's QR code carries: the item's GS1 Digital Link when it has a GTIN, otherwise this
 * Lotline's own URL for the item (scanning either with the trace search finds it).
 */
export function labelPayload(item: CreatedItem, origin: string): string {
  if (item.digital_link) return item.digital_link;
  return `${origin}/trace/items/${item.id}`;
}
