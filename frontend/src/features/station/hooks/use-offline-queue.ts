import { useCallback, useEffect, useState } from 'react';

import {
  dismissRejected,
  enqueue,
  type Operator,
  pending,
  type PendingEntry,
  rejected,
  type RejectedEntry,
  sync,
  type SyncSummary,
} from '@/features/station/lib/offline-queue';
import { sendRecord } from '@/features/station/lib/send-record';
import type { CaptureBody } from '@/features/station/types/station';

const RETRY_MS = 10_000;

/**
 * The station's offline queue as React state: what is waiting (this operator's, and others'
 * waiting for their own sign-in), what the server refused after a sync, and sending — when the
 * browser says it is back online, every few seconds while anything waits, and on demand.
 */
export function useOfflineQueue(operator: Operator | null, onSynced?: (summary: SyncSummary) => void) {
  const [waiting, setWaiting] = useState<PendingEntry[]>([]);
  const [refused, setRefused] = useState<RejectedEntry[]>([]);
  const [online, setOnline] = useState(() => navigator.onLine);

  const refresh = useCallback(async () => {
    setWaiting(await pending());
    setRefused(await rejected());
  }, []);

  const operatorId = operator?.id ?? null;
  const flush = useCallback(async () => {
    if (operatorId === null) return;
    const summary = await sync(sendRecord, operatorId);
    await refresh();
    if (summary.sent || summary.rejected) onSynced?.(summary);
  }, [onSynced, operatorId, refresh]);

  useEffect(() => {
    void (async () => {
      await refresh();
      if (navigator.onLine) await flush();
    })();
    const up = () => {
      setOnline(true);
      void flush();
    };
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, [flush, refresh]);

  const mine = waiting.filter((entry) => entry.operator.id === operatorId);
  const others = waiting.filter((entry) => entry.operator.id !== operatorId);
  const mineWaiting = mine.length > 0;
  useEffect(() => {
    if (!mineWaiting || !online) return;
    const timer = window.setInterval(() => void flush(), RETRY_MS);
    return () => window.clearInterval(timer);
  }, [mineWaiting, online, flush]);

  const add = useCallback(
    async (body: CaptureBody) => {
      if (!operator) return;
      await enqueue(body, operator);
      await refresh();
    },
    [operator, refresh],
  );

  const dismiss = useCallback(
    async (seq: number) => {
      await dismissRejected(seq);
      await refresh();
    },
    [refresh],
  );

  return { waiting: mine, others, refused, online, add, flush, dismiss };
}
