import { apiClient } from '@/lib/api-client';

import type { Station } from '@/features/station/types/station';

export async function getStations(): Promise<Station[]> {
  const page = await apiClient.get<{ items: Station[] }>('/masterdata/stations', {
    query: { limit: 500 },
  });
  return page.items.filter((station) => station.active);
}
