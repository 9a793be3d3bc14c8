import { apiClient } from '@/lib/api-client';

import type { Location } from '@/features/trace/types/trace';

/** One location from master data (needs `masterdata.read`). */
export function getLocation(id: number, signal?: AbortSignal): Promise<Location> {
  return apiClient.get<Location>(`/masterdata/locations/${id}`, signal ? { signal } : {});
}
