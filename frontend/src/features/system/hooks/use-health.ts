import { useCallback, useEffect, useState } from 'react';

import { getHealth } from '@/features/system/api/get-health';
import type { Health } from '@/features/system/types/health';

type Settled = { status: 'success'; data: Health } | { status: 'error'; error: unknown };

export type HealthQuery = {
  /** The last answer, kept on screen while a refresh is in flight. */
  result: Settled | undefined;
  isFetching: boolean;
  refetch: () => void;
};

/** Loads /api/health on mount and on `refetch()`; aborts the request on unmount. */
export function useHealth(): HealthQuery {
  const [requestNumber, setRequestNumber] = useState(0);
  const [settled, setSettled] = useState<{ requestNumber: number; result: Settled }>();

  useEffect(() => {
    const controller = new AbortController();
    getHealth({ signal: controller.signal }).then(
      (data) => setSettled({ requestNumber, result: { status: 'success', data } }),
      (error: unknown) => {
        if (!controller.signal.aborted) {
          setSettled({ requestNumber, result: { status: 'error', error } });
        }
      },
    );
    return () => controller.abort();
  }, [requestNumber]);

  const refetch = useCallback(() => setRequestNumber((n) => n + 1), []);

  return {
    result: settled?.result,
    isFetching: settled?.requestNumber !== requestNumber,
    refetch,
  };
}
