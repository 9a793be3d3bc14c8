import { ApiError, apiClient, CLIENT_ERROR_CODES } from '@/lib/api-client';

import type { Health } from '@/features/system/types/health';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function isHealth(value: unknown): value is Health {
  return (
    isRecord(value) &&
    typeof value.status === 'string' &&
    typeof value.version === 'string' &&
    isRecord(value.database) &&
    typeof value.database.status === 'string' &&
    typeof value.database.dialect === 'string' &&
    isRecord(value.redis) &&
    typeof value.redis.status === 'string' &&
    isRecord(value.jobs) &&
    typeof value.jobs.mode === 'string'
  );
}

/**
 * GET /api/health. A degraded service may answer with an error status (e.g. 503) and the same
 * body; that is still a health report to show, not a failure to load one.
 */
export async function getHealth({ signal }: { signal?: AbortSignal } = {}): Promise<Health> {
  let body: unknown;
  try {
    body = await apiClient.get<unknown>('/health', signal ? { signal } : {});
  } catch (error) {
    if (error instanceof ApiError && isHealth(error.body)) return error.body;
    throw error;
  }
  if (!isHealth(body)) {
    throw new ApiError({
      status: 200,
      code: CLIENT_ERROR_CODES.invalidResponse,
      message: 'Unexpected /api/health response',
      body,
    });
  }
  return body;
}
