import { apiClient } from '@/lib/api-client';

import type { BackgroundTask, Direction } from '@/features/trace/types/trace';

/** Runs a trace of any size as a background task (CSV); poll the task, then download. */
export function createTraceExport(id: number, direction: Direction): Promise<BackgroundTask> {
  return apiClient.post<BackgroundTask>(`/items/${id}/trace-export`, { body: { direction } });
}
