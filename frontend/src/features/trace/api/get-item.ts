import { apiClient } from '@/lib/api-client';

import type { Item } from '@/features/trace/types/trace';

export function getItem(id: number, signal?: AbortSignal): Promise<Item> {
  return apiClient.get<Item>(`/items/${id}`, signal ? { signal } : {});
}
