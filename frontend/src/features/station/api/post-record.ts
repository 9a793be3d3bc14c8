import { apiClient } from '@/lib/api-client';

import type { CaptureBody, CaptureResult } from '@/features/station/types/station';

/** Submits one record; a retry with the same idempotency key returns the first answer. */
export function postRecord(body: CaptureBody): Promise<CaptureResult> {
  return apiClient.post<CaptureResult>('/records', { body });
}
