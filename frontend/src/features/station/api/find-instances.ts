import { apiClient } from '@/lib/api-client';

import type { InstanceSummary } from '@/features/station/types/station';

/** The flow instances of a subject (a serial, lot or work order), newest first. */
export async function findInstances(subject: string): Promise<InstanceSummary[]> {
  const page = await apiClient.get<{ items: InstanceSummary[] }>('/flow-instances', {
    query: { subject },
  });
  return page.items;
}
