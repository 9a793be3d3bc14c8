import { apiClient } from '@/lib/api-client';

import type { PrintResult } from '@/features/station/types/station';

/** Prints an item's label on the station's printer (the server sends the ZPL; audited). */
export function printLabel(itemId: number, station: string, template: string): Promise<PrintResult> {
  return apiClient.post<PrintResult>(`/items/${itemId}/labels/print`, { body: { station, template } });
}
