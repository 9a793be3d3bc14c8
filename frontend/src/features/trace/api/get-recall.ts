import { apiClient } from '@/lib/api-client';

import type { RecallScope } from '@/features/trace/types/trace';

/** What a recall of the item reaches: finished items, stock on hand, shipped items. */
export function getRecall(id: number, signal?: AbortSignal): Promise<RecallScope> {
  return apiClient.get<RecallScope>(`/items/${id}/recall`, signal ? { signal } : {});
}
