import { apiClient } from '@/lib/api-client';

import type { Item } from '@/features/trace/types/trace';

/** Items matching anything scanned or pasted: lot, serial, VIN, SSCC, GS1 string, Digital Link. */
export function searchItems(q: string, signal?: AbortSignal): Promise<Item[]> {
  return apiClient.get<Item[]>('/items/search', { query: { q }, ...(signal ? { signal } : {}) });
}
