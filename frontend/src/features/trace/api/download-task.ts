import { buildUrl } from '@/lib/api-client';

/**
 * Where a finished export's CSV is downloaded (a plain link: the browser sends the session cookie
 * and saves the attachment itself).
 */
export function downloadTaskUrl(id: number): string {
  return buildUrl(`/tasks/${id}/download`);
}
