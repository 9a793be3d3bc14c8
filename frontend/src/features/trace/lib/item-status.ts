import type { StatusTone } from '@/components/ui/status-badge';
import { EDGE_RELATIONS, type EdgeRelation, ITEM_KINDS, ITEM_STATUSES, type ItemKind, type ItemStatus } from '@/features/trace/types/trace';

export function isItemStatus(value: string): value is ItemStatus {
  return (ITEM_STATUSES as readonly string[]).includes(value);
}

export function isItemKind(value: string): value is ItemKind {
  return (ITEM_KINDS as readonly string[]).includes(value);
}

export function isEdgeRelation(value: string): value is EdgeRelation {
  return (EDGE_RELATIONS as readonly string[]).includes(value);
}

/** Colour of an item status: usable stock is green, blocked is amber, gone is grey. */
export function statusTone(status: string): StatusTone {
  switch (status) {
    case 'released':
      return 'ok';
    case 'hold':
    case 'quarantine':
      return 'warning';
    case 'scrapped':
      return 'danger';
    default:
      return 'neutral';
  }
}
