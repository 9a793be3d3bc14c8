import { apiClient } from '@/lib/api-client';

import type { InstanceSummary } from '@/features/station/types/station';

/** Open flow instances of a subject (a serial, lot or work order). */
export async function findInstances(flow: string, subject: string): Promise<InstanceSummary[]> {
  const page = await apiClient.get<{ items: InstanceSummary[] }>('/flow-instances', {
    query: { flow, subject },
  });
  return page.items;
}
