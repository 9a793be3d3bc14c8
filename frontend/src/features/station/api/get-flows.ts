import { apiClient } from '@/lib/api-client';

import type { FlowSummary } from '@/features/station/types/station';

export function getFlows(signal?: AbortSignal): Promise<FlowSummary[]> {
  return apiClient.get<FlowSummary[]>('/flows', signal ? { signal } : {});
}
