import { apiClient } from '@/lib/api-client';

import type { Touch, TouchedQuery } from '@/features/trace/types/trace';

/** Items touched at a station, by an operator or with equipment in a time window. */
export function getTouched(query: TouchedQuery, signal?: AbortSignal): Promise<Touch[]> {
  return apiClient.get<Touch[]>('/items/touched', { query, ...(signal ? { signal } : {}) });
}
