import { apiClient } from '@/lib/api-client';

import type { Trace, TraceQuery } from '@/features/trace/types/trace';

/** The backward (where from) or forward (where used) subgraph of an item. */
export function getTrace(id: number, query: TraceQuery, signal?: AbortSignal): Promise<Trace> {
  return apiClient.get<Trace>(`/items/${id}/trace`, {
    query: {
      direction: query.direction,
      max_depth: query.maxDepth,
      max_items: query.maxItems,
      events: query.events,
    },
    ...(signal ? { signal } : {}),
  });
}
