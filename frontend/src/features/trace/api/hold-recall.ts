import { apiClient } from '@/lib/api-client';

import type { HoldResult } from '@/features/trace/types/trace';

/**
 * Puts every item of the recall scope still in our hands on hold (needs `recall.hold`).
 * The reason travels in the body; the endpoint does not read a body yet (it ignores it).
 */
export function holdRecall(id: number, reason: string): Promise<HoldResult> {
  return apiClient.post<HoldResult>(`/items/${id}/recall/hold`, { body: { reason } });
}
