import { Route, Routes } from 'react-router';

import { ItemScreen } from '@/features/trace/components/item-screen';
import { SearchScreen } from '@/features/trace/components/search-screen';

/**
 * The trace explorer: `/trace` searches (one box for any identifier, plus search by station,
 * supplier lot or customer); `/trace/items/:id` shows an item's genealogy, events and mass balance;
 * `/trace/items/:id/recall` its recall scope.
 */
export function TracePage() {
  return (
    <Routes>
      <Route index element={<SearchScreen />} />
      <Route path="items/:itemId/*" element={<ItemScreen />} />
      <Route path="*" element={<SearchScreen />} />
    </Routes>
  );
}
