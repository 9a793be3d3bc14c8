import { apiClient } from '@/lib/api-client';

import type { FormVersion } from '@/features/station/types/station';

/** A published form with its rjsf schema and uiSchema in `locale` (versions never change). */
export function getFormVersion(key: string, version: number, locale: string): Promise<FormVersion> {
  return apiClient.get<FormVersion>(`/forms/${encodeURIComponent(key)}/versions/${version}`, {
    query: { locale },
  });
}
