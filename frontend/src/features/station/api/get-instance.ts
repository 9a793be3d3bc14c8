import { apiClient } from '@/lib/api-client';

import type { InstanceDetail } from '@/features/station/types/station';

/** An instance with, for every node, whether it can be submitted now. */
export function getInstance(id: number): Promise<InstanceDetail> {
  return apiClient.get<InstanceDetail>(`/flow-instances/${id}`);
}
