import { ApiError } from '@/lib/api-client';
import { loadSession } from '@/lib/session';

import { postRecord } from '@/features/station/api/post-record';
import type { SendOutcome } from '@/features/station/lib/offline-queue';
import type { CaptureBody } from '@/features/station/types/station';

/**
 * Whether a failed submission should wait (and be sent again with the same key) rather than be
 * shown to the worker as refused: no answer at all, a server error, a timeout or rate limit, or
 * a session problem (ended: the worker signs in again; a stale CSRF token: it is fetched again).
 * Only the server's verdict on the record itself (validation, a refused step) is final.
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  const { status, code } = error;
  return status === 0 || status >= 500 || [401, 408, 429].includes(status) || code === 'csrf_failed';
}

/** One attempt to send a queued submission, classified for the offline queue. */
export async function sendRecord(body: CaptureBody): Promise<SendOutcome> {
  try {
    return { kind: 'sent', result: await postRecord(body) };
  } catch (error) {
    if (error instanceof ApiError && error.code === 'csrf_failed') await loadSession().catch(() => null);
    if (!(error instanceof ApiError) || isTransient(error)) return { kind: 'retry-later' };
    return {
      kind: 'rejected',
      code: error.code,
      message: error.message,
      errors: error.errors.map(({ field, message, path }) => ({ field, message, path })),
    };
  }
}
