import { apiClient } from '@/lib/api-client';

import type { BackgroundTask } from '@/features/trace/types/trace';

export function getTask(id: number, signal?: AbortSignal): Promise<BackgroundTask> {
  return apiClient.get<BackgroundTask>(`/tasks/${id}`, signal ? { signal } : {});
}
