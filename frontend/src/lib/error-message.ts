import type { TFunction } from 'i18next';

import { ApiError, CLIENT_ERROR_CODES } from '@/lib/api-client';

/**
 * The sentence to show a person for a failed call. The server's own message is used when it sent
 * one (it is localised from Accept-Language); otherwise a translated generic message.
 */
export function errorMessage(error: unknown, t: TFunction): string {
  if (error instanceof ApiError) {
    if (error.fromServer) return error.message;
    if (error.code === CLIENT_ERROR_CODES.network) return t('errors.network');
    if (error.code === CLIENT_ERROR_CODES.invalidResponse) return t('errors.invalidResponse');
    return t('errors.http', { status: error.status });
  }
  return t('errors.unexpected');
}
