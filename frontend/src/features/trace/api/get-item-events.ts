import { apiClient } from '@/lib/api-client';

import type { ItemEventPage } from '@/features/trace/types/trace';

/** An item's history: the events it took part in (oldest first) with its role, a page at a time. */
export function getItemEvents(id: number, signal?: AbortSignal, limit = 500): Promise<ItemEventPage> {
  return apiClient.get<ItemEventPage>(`/items/${id}/events`, { query: { limit }, ...(signal ? { signal } : {}) });
}
