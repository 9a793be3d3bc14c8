import { apiClient } from '@/lib/api-client';

import type { LabelTemplate } from '@/features/station/types/station';

/** The installed packs' label templates that fit an item. */
export function getLabelTemplates(itemId: number, signal?: AbortSignal): Promise<LabelTemplate[]> {
  return apiClient.get<LabelTemplate[]>(`/items/${itemId}/labels`, signal ? { signal } : {});
}
