import { apiClient } from '@/lib/api-client';

import type { FlowVersion } from '@/features/station/types/station';

export function getFlowVersion(key: string, version: number): Promise<FlowVersion> {
  return apiClient.get<FlowVersion>(`/flows/${encodeURIComponent(key)}/versions/${version}`);
}
