import { apiClient } from '@/lib/api-client';

import type { Item } from '@/features/trace/types/trace';

/** Every item made from a supplier's lot (all receipts under that lot number). */
export function getMadeFrom(supplierLot: string, signal?: AbortSignal): Promise<Item[]> {
  return apiClient.get<Item[]>('/items/made-from', {
    query: { supplier_lot: supplierLot },
    ...(signal ? { signal } : {}),
  });
}
