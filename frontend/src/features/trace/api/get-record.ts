import { apiClient } from '@/lib/api-client';

import type { RecordVersion } from '@/features/trace/types/trace';

/** A record followed by every correction made to it, each with its signatures. */
export function getRecord(id: number, signal?: AbortSignal): Promise<RecordVersion[]> {
  return apiClient.get<RecordVersion[]>(`/records/${id}`, signal ? { signal } : {});
}
