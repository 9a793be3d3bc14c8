import { ApiError } from '@/lib/api-client';

import { postRecord } from '@/features/station/api/post-record';
import type { SendOutcome } from '@/features/station/lib/offline-queue';
import type { CaptureBody } from '@/features/station/types/station';

/**
 * Whether a failed submission should wait for the network (and be sent again with the same key)
 * rather than be shown to the worker as refused: no answer at all, a server error, or an
 * expired session (the worker signs in again and the queue goes on).
 */
export function isTransient(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500 || error.status === 401);
}

/** One attempt to send a queued submission, classified for the offline queue. */
export async function sendRecord(body: CaptureBody): Promise<SendOutcome> {
  try {
    return { kind: 'sent', result: await postRecord(body) };
  } catch (error) {
    if (!(error instanceof ApiError) || isTransient(error)) return { kind: 'retry-later' };
    return {
      kind: 'rejected',
      code: error.code,
      message: error.message,
      errors: error.errors.map(({ field, message, path }) => ({ field, message, path })),
    };
  }
}
