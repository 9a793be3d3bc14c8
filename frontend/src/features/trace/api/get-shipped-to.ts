import { apiClient } from '@/lib/api-client';

import type { Item } from '@/features/trace/types/trace';

/** Everything shipped to a customer location, with the units inside shipped pallets. */
export function getShippedTo(location: string, signal?: AbortSignal): Promise<Item[]> {
  return apiClient.get<Item[]>('/items/shipped-to', { query: { location }, ...(signal ? { signal } : {}) });
}
