import { apiClient } from '@/lib/api-client';

import type { MassBalance } from '@/features/trace/types/trace';

export function getMassBalance(id: number, signal?: AbortSignal): Promise<MassBalance> {
  return apiClient.get<MassBalance>(`/items/${id}/mass-balance`, signal ? { signal } : {});
}
